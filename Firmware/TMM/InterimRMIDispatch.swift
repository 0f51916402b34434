// Interim: answers RMI_VERSION and RMI_FEATURES until the RMI core's dispatcher is wired in.
// Every other call returns RMI_ERROR_INPUT.

func interimRMIDispatch(fid: UInt64, arguments: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64))
    -> (UInt64, UInt64, UInt64, UInt64, UInt64)
{
    switch RMIFunctionID(rawValue: fid) {
    case .version:
        let supported = arguments.0 == rmiImplementedVersion
        return (supported ? 0 : 1, rmiImplementedVersion, rmiImplementedVersion, 0, 0)
    case .features:
        return (0, arguments.0 == 0 ? 0 : 0, 0, 0, 0)
    default:
        return (RMIReturnCode(.input).encoded, 0, 0, 0, 0)
    }
}
