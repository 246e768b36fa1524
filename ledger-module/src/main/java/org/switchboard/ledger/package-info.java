/**
 * The ledger: atomic bank transfers recorded in a CouchDB transaction log (through LightCouch), with
 * balances from map/reduce views and a resolver that settles pending transfers in a total order.
 */
package org.switchboard.ledger;
