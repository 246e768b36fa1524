function (newDoc, oldDoc, userCtx) {
  if (oldDoc && oldDoc.type === 'transfer') {
    if (newDoc._deleted) { throw({forbidden: 'a transfer is never deleted'}); }
    if (oldDoc.status !== 'pending') { throw({forbidden: 'a decided transfer never changes'}); }
    if (newDoc.from !== oldDoc.from || newDoc.to !== oldDoc.to || newDoc.amount !== oldDoc.amount
        || newDoc.timestamp !== oldDoc.timestamp || newDoc.id !== oldDoc.id) {
      throw({forbidden: 'a transfer keeps its fields'});
    }
    if (newDoc.status !== 'successful' && newDoc.status !== 'rejected') {
      throw({forbidden: 'a pending transfer becomes successful or rejected'});
    }
  }
  if (!oldDoc && newDoc.type === 'transfer' && newDoc.status !== 'pending'
      && !((newDoc.status === 'successful' || newDoc.status === 'rejected') && typeof newDoc.seq === 'number')) {
    throw({forbidden: 'a transfer starts pending, or decided at its place'});
  }
  if (oldDoc && oldDoc.type === 'account' && (newDoc._deleted || newDoc.allowNegative !== oldDoc.allowNegative)) {
    throw({forbidden: 'an account keeps its rules'});
  }
}
