// Granule states of DEN0137 A2.2 as they apply to secure-pool granules. On TrustZone there is no
// granule protection table: an UNDELEGATED pool granule is simply one the TMM has lent to
// nobody, and DELEGATED means "owned by the TMM, free".
//
// Transitions (each in the command named):
//   UNDELEGATED <-> DELEGATED   GRANULE_DELEGATE / GRANULE_UNDELEGATE
//   DELEGATED   <-> RD          REALM_CREATE / REALM_DESTROY (start-level RTTs go to RTT with it)
//   DELEGATED   <-> REC         REC_CREATE / REC_DESTROY (aux granules go to REC_AUX with it)
//   DELEGATED   <-> RTT         RTT_CREATE / RTT_DESTROY, RTT_FOLD
//   DELEGATED   <-> DATA        DATA_CREATE, DATA_CREATE_UNKNOWN / DATA_DESTROY

enum GranuleState: UInt32 {
    case undelegated = 0
    case delegated = 1
    case rd = 2
    case rec = 3
    case recAux = 4
    case data = 5
    case rtt = 6
}
