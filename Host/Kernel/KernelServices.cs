using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Kernel.Drivers.Dax;
using DaxHolder.Kernel.Fs;
using DaxHolder.Kernel.Fs.Dax;
using DaxHolder.Kernel.Mm;
using DaxHolder.Kernel.Mm.MemoryFailure;
using DaxHolder.Kernel.Modules;

namespace DaxHolder.Kernel;

/// <summary>
/// The kernel as one plugin sees it (IKernelServices): every member forwards to the home of the
/// kernel function it models. One instance per plugin and machine: holder and iomap operations
/// the plugin hands the kernel are wrapped in that plugin's guard here, as they come in.
/// </summary>
internal sealed class KernelServices(KernelContext kernel, Truncate truncate, FsDax dax, MemoryFailureHandler memoryFailure, GuardScope scope) : IKernelServices
{
    public KernelProfile Profile => kernel.Profile;

    public IKernelLog Log => kernel.Log;

    public CancellationToken Cancellation => scope.Calls.Cancellation;

    public IDaxDevice? FsDaxGetByBdev(IBlockDevice device, object? holder, IDaxHolderOperations? operations) =>
        DaxDevice.FsDaxGetByBdev(kernel, device, holder, operations is null ? null : ModuleGuard.Wrap(operations, scope), scope.Module.Name);

    public void FsPutDax(IDaxDevice daxDevice, object? holder) => AsHost(daxDevice).FsPutDax(holder);

    public IAddressSpace InitInodeMapping(ISuperBlock superBlock, InodeNumber inode, bool dax) =>
        superBlock is SuperBlock sb ? sb.AddMapping(inode, dax)
        : throw new ArgumentException("the superblock was not created by this kernel", nameof(superBlock));

    public void TruncateInodePagesFinal(IAddressSpace mapping) => truncate.TruncateInodePagesFinal(AsHost(mapping));

    public void TruncatePagecacheRange(IAddressSpace mapping, FileOffset start, FileOffset endInclusive) =>
        truncate.TruncatePagecacheRange(AsHost(mapping), start, endInclusive);

    public void DaxBreakLayout(IAddressSpace mapping) => dax.DaxBreakLayout(AsHost(mapping));

    public Errno InvalidateInodePages2Range(IAddressSpace mapping, PageIndex start, PageIndex endInclusive) =>
        truncate.InvalidateInodePages2Range(AsHost(mapping), start, endInclusive);

    public ErrnoOr<ByteLength> DaxIomapRw(IInode inode, FileOffset position, ByteLength length, bool write, IIomapOps operations) =>
        FsDax.DaxIomapRw(ModuleGuard.Wrap(inode, scope), ModuleGuard.Wrap(operations, scope), position, length, write);

    public Errno MfDaxKillProcs(IAddressSpace mapping, PageIndex index, PageCount count, MfFlags flags)
    {
        var host = AsHost(mapping);
        var slot = kernel.Trace.EnterDaxKillProcs(host.Host, index, count, flags);
        var result = memoryFailure.MfDaxKillProcs(host, index, count, flags);
        kernel.Trace.Return(slot, result);
        return result;
    }

    public void TraceRmapQuery(DeviceExtent range)
    {
        if (!kernel.Trace.RmapQuery(range))
        {
            throw OutsideNotifyFailure(nameof(TraceRmapQuery), range.ToString());
        }
    }

    public void TraceRmapRecord(RmapRecord record, RmapVisit visit)
    {
        ArgumentNullException.ThrowIfNull(record);
        TraceRmapRecord(record, static r => r, visit);
    }

    public void TraceRmapRecord<TState>(TState state, Func<TState, RmapRecord> record, RmapVisit visit)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!kernel.Trace.RmapRecord(state, record, visit))
        {
            var made = record(state);
            throw OutsideNotifyFailure(nameof(TraceRmapRecord), $"{made.Extent} {made.Owner}, {visit}");
        }
    }

    /// <summary>Tracing an rmap walk belongs inside the holder's notify_failure: anywhere else it breaks the contract.</summary>
    private PluginFault OutsideNotifyFailure(string call, string arguments) =>
        new(scope.Module, $"IKernelServices.{call}", arguments, PluginFaultKind.ContractViolation, "an rmap walk is traced only inside IDaxHolderOperations.NotifyFailure");

    private static AddressSpace AsHost(IAddressSpace mapping) =>
        mapping as AddressSpace ?? throw new ArgumentException("the address_space was not created by this kernel", nameof(mapping));

    private static DaxDevice AsHost(IDaxDevice device) =>
        device as DaxDevice ?? throw new ArgumentException("the dax_device was not created by this kernel", nameof(device));
}
