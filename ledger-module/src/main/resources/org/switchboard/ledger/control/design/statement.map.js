function (doc) {
  if (doc.type === 'transfer' && doc.status !== 'pending') {
    emit([doc.from, doc.seq], -doc.amount);
    emit([doc.to, doc.seq], doc.amount);
  }
}
