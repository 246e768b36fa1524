function (doc) {
  if (doc.type === 'transfer' && doc.status === 'successful') {
    emit(doc.from, -doc.amount);
    emit(doc.to, doc.amount);
  }
}
