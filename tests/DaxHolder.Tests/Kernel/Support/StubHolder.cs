using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.Kernel.Support;

/// <summary>Holder operations that answer every notify_failure with a fixed errno and count the calls.</summary>
internal sealed class StubHolder(Errno answer) : IDaxHolderOperations
{
    public int Calls { get; private set; }

    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags)
    {
        Calls++;
        return answer;
    }
}
