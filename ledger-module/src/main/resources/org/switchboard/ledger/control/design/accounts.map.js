function (doc) {
  if (doc.type === 'account') { emit(doc.id, doc.allowNegative); }
}
