/** The client packages whose generated protocol the test server can use (a type without them). */
export type ProtocolSource = '@eventstore/db-client' | '@kurrent/kurrentdb-client';
