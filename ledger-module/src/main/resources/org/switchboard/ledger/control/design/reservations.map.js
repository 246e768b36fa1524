function (doc) {
  if (doc.type === 'transfer' && doc.status === 'reserved') { emit(doc.resolvedAt + doc.timeoutSeconds * 1000, null); }
}
