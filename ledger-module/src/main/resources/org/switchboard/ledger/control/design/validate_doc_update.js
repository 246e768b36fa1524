function (newDoc, oldDoc, userCtx) {
  // a transfer is successful or rejected; a reservation reserved or rejected; a settlement posted, voided, expired
  // or rejected (its reservation settled already)
  function decidedAs(doc) {
    var outcomes = !doc.phase ? ['successful', 'rejected'] : doc.phase === 'reserve' ? ['reserved', 'rejected'] : ['posted', 'voided', 'expired', 'rejected'];
    return outcomes.indexOf(doc.status) >= 0;
  }
  if (oldDoc && oldDoc.type === 'transfer') {
    if (newDoc._deleted) { throw({forbidden: 'a transfer is never deleted'}); }
    if (oldDoc.status !== 'pending') { throw({forbidden: 'a decided transfer never changes'}); }
    if (newDoc.from !== oldDoc.from || newDoc.to !== oldDoc.to || newDoc.amount !== oldDoc.amount
        || newDoc.timestamp !== oldDoc.timestamp || newDoc.id !== oldDoc.id || newDoc.phase !== oldDoc.phase
        || newDoc.pendingId !== oldDoc.pendingId || newDoc.timeoutSeconds !== oldDoc.timeoutSeconds
        || newDoc.held !== oldDoc.held || newDoc.expiresAt !== oldDoc.expiresAt
        || newDoc.group !== oldDoc.group || newDoc.groupSize !== oldDoc.groupSize) {
      throw({forbidden: 'a transfer keeps its fields'});
    }
    if (!decidedAs(newDoc)) {
      throw({forbidden: 'a pending transfer becomes one of the outcomes of its kind'});
    }
  }
  if (!oldDoc && newDoc.type === 'transfer' && newDoc.status !== 'pending'
      && !(decidedAs(newDoc) && typeof newDoc.seq === 'number')) {
    throw({forbidden: 'a transfer starts pending, or decided at its place'});
  }
  if (newDoc.type === 'transfer' && newDoc.phase && newDoc.phase !== 'reserve' && newDoc.id !== newDoc.pendingId + '.' + newDoc.phase) {
    throw({forbidden: 'a settlement is stored under its reservation\'s id and its step'});
  }
  if (oldDoc && oldDoc.type === 'account' && (newDoc._deleted || newDoc.allowNegative !== oldDoc.allowNegative)) {
    throw({forbidden: 'an account keeps its rules'});
  }
}
