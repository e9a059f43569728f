using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Host.Kernel.Drivers.Dax;
using DaxHolder.Host.Kernel.Fs;
using DaxHolder.Host.Kernel.Fs.Dax;
using DaxHolder.Host.Kernel.Mm;
using DaxHolder.Host.Kernel.Mm.MemoryFailure;
using DaxHolder.Host.Kernel.Trace;

namespace DaxHolder.Host.Kernel;

/// <summary>
/// The kernel as one plugin sees it (IKernelServices): every member forwards to the home of the
/// kernel function it models. One instance per plugin and machine, so that holder operations a
/// plugin registers are guarded under that plugin's name.
/// </summary>
internal sealed class KernelServices(KernelContext kernel, FsDax dax, Truncate truncate, MemoryFailureHandler memoryFailure, string plugin) : IKernelServices
{
    public KernelProfile Profile => kernel.Profile;

    public IKernelLog Log => kernel.Log;

    public IDaxDevice? FsDaxGetByBdev(IBlockDevice device, object? holder, IDaxHolderOperations? operations) =>
        DaxDevice.FsDaxGetByBdev(kernel, device, holder, operations, plugin);

    public void FsPutDax(IDaxDevice daxDevice, object? holder) => AsHost(daxDevice).FsPutDax(holder);

    public IAddressSpace InitInodeMapping(ISuperBlock superBlock, InodeNumber inode, bool dax) =>
        superBlock is SuperBlock sb ? sb.AddMapping(inode, dax)
        : throw new ArgumentException("the superblock was not created by this kernel", nameof(superBlock));

    public void TruncateInodePagesFinal(IAddressSpace mapping) => truncate.TruncateInodePagesFinal(AsHost(mapping));

    public void TruncatePagecacheRange(IAddressSpace mapping, FileOffset start, FileOffset endInclusive) =>
        truncate.TruncatePagecacheRange(AsHost(mapping), start, endInclusive);

    public Errno InvalidateInodePages2Range(IAddressSpace mapping, PageIndex start, PageIndex endInclusive) =>
        truncate.InvalidateInodePages2Range(AsHost(mapping), start, endInclusive);

    public ErrnoOr<ByteLength> DaxIomapRw(IInode inode, FileOffset position, ByteLength length, bool write, IIomapOps operations) =>
        dax.DaxIomapRw(inode, operations, position, length, write);

    public Errno MfDaxKillProcs(IAddressSpace mapping, PageIndex index, PageCount count, MfFlags flags)
    {
        var host = AsHost(mapping);
        var result = memoryFailure.MfDaxKillProcs(host, index, count, flags);
        kernel.Trace.Add(new DaxKillProcsCalled(host.Host, index, count, flags, result));
        return result;
    }

    private static AddressSpace AsHost(IAddressSpace mapping) =>
        mapping as AddressSpace ?? throw new ArgumentException("the address_space was not created by this kernel", nameof(mapping));

    private static DaxDevice AsHost(IDaxDevice device) =>
        device as DaxDevice ?? throw new ArgumentException("the dax_device was not created by this kernel", nameof(device));
}
