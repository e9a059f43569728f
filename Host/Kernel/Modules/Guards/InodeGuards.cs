using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of an in-core inode (struct inode).</summary>
internal sealed class GuardedInode(IInode target, GuardScope scope)
    : Guard<IInode>(target, scope, nameof(IInode)), IInode
{
    public InodeNumber Number
    {
        get
        {
            using var call = Enter(nameof(Number));
            try
            {
                var result = Target.Number;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public ByteLength Size
    {
        get
        {
            using var call = Enter(nameof(Size));
            try
            {
                var result = Target.Size;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IAddressSpace Mapping
    {
        get
        {
            using var call = Enter(nameof(Mapping));
            try
            {
                var result = Target.Mapping;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public int ReferenceCount
    {
        get
        {
            using var call = Enter(nameof(ReferenceCount));
            try
            {
                var result = Target.ReferenceCount;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }
}

/// <summary>The guard of a filesystem's inode cache; an inode handed back to iput is the plugin's own again.</summary>
internal sealed class GuardedInodeCache(IInodeCache target, GuardScope scope)
    : Guard<IInodeCache>(target, scope, nameof(IInodeCache)), IInodeCache
{
    public ErrnoOr<IInode> Iget(InodeNumber inode)
    {
        using var call = Enter(nameof(Iget), inode);
        try
        {
            var result = Target.Iget(inode);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public void Iput(IInode inode)
    {
        using var call = Enter(nameof(Iput), inode);
        try
        {
            Target.Iput(ForPlugin(inode));
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public IInode? FindInCore(InodeNumber inode)
    {
        using var call = Enter(nameof(FindInCore), inode);
        try
        {
            var result = Target.FindInCore(inode);
            call.Returned();
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public IReadOnlyList<IInode> InCore
    {
        get
        {
            using var call = Enter(nameof(InCore));
            try
            {
                var result = Target.InCore;
                call.Returned();
                return GuardedList(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public int PruneUnreferenced()
    {
        using var call = Enter(nameof(PruneUnreferenced));
        try
        {
            var result = Target.PruneUnreferenced();
            call.Returned();
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}
