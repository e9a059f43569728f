using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of a filesystem's iomap operations (struct iomap_ops), through which fs/dax.c faults and I/O ask where a file range lives; what -&gt;iomap_begin returns is checked before fs/dax.c uses it.</summary>
internal sealed class GuardedIomapOps(IIomapOps target, GuardScope scope)
    : Guard<IIomapOps>(target, scope, nameof(IIomapOps)), IIomapOps
{
    public ErrnoOr<IomapResult> IomapBegin(InodeNumber inode, FileOffset position, ByteLength length, IomapRequest request)
    {
        using var call = Enter(nameof(IomapBegin), inode, position, length, request);
        try
        {
            var result = Target.IomapBegin(inode, position, length, request);
            call.Returned();
            call.Check(ContractChecks.IomapBeginViolation(result, position));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno IomapEnd(InodeNumber inode, FileOffset position, ByteLength length, ByteLength written, IomapRequest request, Iomap map) =>
        ErrnoCall(nameof(IomapEnd), (inode, position, length, written, request, map), static (target, a) => target.IomapEnd(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, a.Item6), inode, position, length, written, request, map);
}

/// <summary>The guard of a filesystem's reverse map; the records of a query are checked against the range asked for.</summary>
internal sealed class GuardedReverseMap(IReverseMap target, GuardScope scope)
    : Guard<IReverseMap>(target, scope, nameof(IReverseMap)), IReverseMap
{
    public IReadOnlyList<RmapRecord> Query(DeviceExtent range)
    {
        using var call = Enter(nameof(Query), range);
        try
        {
            var result = Target.Query(range);
            call.Returned();
            call.Check(ContractChecks.QueryViolation(result, range));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<DeviceExtent> LocateMetadata(string name)
    {
        using var call = Enter(nameof(LocateMetadata), name);
        try
        {
            var result = Target.LocateMetadata(name);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}

/// <summary>The guard of a dax holder's operations (struct dax_holder_operations), called from drivers/dax/super.c: dax_holder_notify_failure() on the poison event's path.</summary>
internal sealed class GuardedDaxHolderOperations(IDaxHolderOperations target, GuardScope scope)
    : Guard<IDaxHolderOperations>(target, scope, nameof(IDaxHolderOperations)), IDaxHolderOperations
{
    public Errno NotifyFailure(IDaxDevice daxDevice, DeviceOffset offset, ByteLength length, MfFlags flags) =>
        ErrnoCall(nameof(NotifyFailure), (ForPlugin(daxDevice), offset, length, flags), static (target, a) => target.NotifyFailure(a.Item1, a.Item2, a.Item3, a.Item4), daxDevice, offset, length, flags);
}
