using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Tests.PluginLoading;

/// <summary>A 1 GiB whole pmem disk, for calls that need a device.</summary>
internal sealed class TestBlockDevice : IBlockDevice
{
    public string Name => "pmem0";

    public DeviceOffset Start => DeviceOffset.Zero;

    public ByteLength Size => new(1UL << 30);

    public bool IsPartition => false;

    public bool SupportsDax => true;
}
