function (doc) {
  if (doc.type === 'transfer' && (doc.status === 'successful' || doc.status === 'posted')) {
    emit(doc.from, -doc.amount);
    emit(doc.to, doc.amount);
  }
}
