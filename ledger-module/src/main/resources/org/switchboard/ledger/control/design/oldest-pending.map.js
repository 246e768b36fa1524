function (doc) {
  if (doc.type === 'transfer' && doc.status === 'pending') { emit([doc.timestamp, doc.id], null); }
}
