using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of kernel services a plugin implements itself (the kernel's own, <see cref="KernelServices"/>, come back unguarded).</summary>
internal sealed class GuardedKernelServices(IKernelServices target, GuardScope scope)
    : Guard<IKernelServices>(target, scope, nameof(IKernelServices)), IKernelServices
{
    public KernelProfile Profile
    {
        get
        {
            using var call = Enter(nameof(Profile));
            try
            {
                var result = Target.Profile;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IKernelLog Log
    {
        get
        {
            using var call = Enter(nameof(Log));
            try
            {
                var result = Target.Log;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public CancellationToken Cancellation
    {
        get
        {
            using var call = Enter(nameof(Cancellation));
            try
            {
                var result = Target.Cancellation;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IDaxDevice? FsDaxGetByBdev(IBlockDevice device, object? holder, IDaxHolderOperations? operations)
    {
        using var call = Enter(nameof(FsDaxGetByBdev), device, holder, operations);
        try
        {
            var result = Target.FsDaxGetByBdev(ForPlugin(device), ModuleGuard.Unwrap(holder), ForPlugin(operations));
            call.Returned();
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void FsPutDax(IDaxDevice daxDevice, object? holder)
    {
        using var call = Enter(nameof(FsPutDax), daxDevice, holder);
        try
        {
            Target.FsPutDax(ForPlugin(daxDevice), ModuleGuard.Unwrap(holder));
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public IAddressSpace InitInodeMapping(ISuperBlock superBlock, InodeNumber inode, bool dax)
    {
        using var call = Enter(nameof(InitInodeMapping), superBlock, inode, dax);
        try
        {
            var result = Target.InitInodeMapping(ForPlugin(superBlock), inode, dax);
            call.Returned();
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void TruncateInodePagesFinal(IAddressSpace mapping)
    {
        using var call = Enter(nameof(TruncateInodePagesFinal), mapping);
        try
        {
            Target.TruncateInodePagesFinal(ForPlugin(mapping));
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void TruncatePagecacheRange(IAddressSpace mapping, FileOffset start, FileOffset endInclusive)
    {
        using var call = Enter(nameof(TruncatePagecacheRange), mapping, start, endInclusive);
        try
        {
            Target.TruncatePagecacheRange(ForPlugin(mapping), start, endInclusive);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void DaxBreakLayout(IAddressSpace mapping)
    {
        using var call = Enter(nameof(DaxBreakLayout), mapping);
        try
        {
            Target.DaxBreakLayout(ForPlugin(mapping));
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno InvalidateInodePages2Range(IAddressSpace mapping, PageIndex start, PageIndex endInclusive) =>
        ErrnoCall(nameof(InvalidateInodePages2Range), (ForPlugin(mapping), start, endInclusive), static (target, a) => target.InvalidateInodePages2Range(a.Item1, a.Item2, a.Item3), mapping, start, endInclusive);

    public ErrnoOr<ByteLength> DaxIomapRw(IInode inode, FileOffset position, ByteLength length, bool write, IIomapOps operations)
    {
        using var call = Enter(nameof(DaxIomapRw), inode, position, length, write, operations);
        try
        {
            var result = Target.DaxIomapRw(ForPlugin(inode), position, length, write, ForPlugin(operations));
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno MfDaxKillProcs(IAddressSpace mapping, PageIndex index, PageCount count, MfFlags flags) =>
        ErrnoCall(nameof(MfDaxKillProcs), (ForPlugin(mapping), index, count, flags), static (target, a) => target.MfDaxKillProcs(a.Item1, a.Item2, a.Item3, a.Item4), mapping, index, count, flags);

    public void TraceRmapQuery(DeviceExtent range)
    {
        using var call = Enter(nameof(TraceRmapQuery), range);
        try
        {
            Target.TraceRmapQuery(range);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void TraceRmapRecord(RmapRecord record, RmapVisit visit)
    {
        using var call = Enter(nameof(TraceRmapRecord), record, visit);
        try
        {
            Target.TraceRmapRecord(record, visit);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void TraceRmapRecord<TState>(TState state, Func<TState, RmapRecord> record, RmapVisit visit)
    {
        using var call = Enter(nameof(TraceRmapRecord), state, visit);
        try
        {
            Target.TraceRmapRecord(state, record, visit);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}
