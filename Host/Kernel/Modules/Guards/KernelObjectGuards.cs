using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of a superblock a plugin returns as its own rather than the one the kernel made for the mount (which comes back unguarded).</summary>
internal sealed class GuardedSuperBlock(ISuperBlock target, GuardScope scope)
    : Guard<ISuperBlock>(target, scope, nameof(ISuperBlock)), ISuperBlock
{
    public string Id
    {
        get
        {
            using var call = Enter(nameof(Id));
            try
            {
                var result = Target.Id;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public string FileSystemType
    {
        get
        {
            using var call = Enter(nameof(FileSystemType));
            try
            {
                var result = Target.FileSystemType;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool IsBorn
    {
        get
        {
            using var call = Enter(nameof(IsBorn));
            try
            {
                var result = Target.IsBorn;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool IsFrozen
    {
        get
        {
            using var call = Enter(nameof(IsFrozen));
            try
            {
                var result = Target.IsFrozen;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool IsShutdown
    {
        get
        {
            using var call = Enter(nameof(IsShutdown));
            try
            {
                var result = Target.IsShutdown;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public Errno FreezeSuper(FreezeHolder holder) =>
        ErrnoCall(nameof(FreezeSuper), holder, static (target, a) => target.FreezeSuper(a), holder);

    public Errno ThawSuper(FreezeHolder holder) =>
        ErrnoCall(nameof(ThawSuper), holder, static (target, a) => target.ThawSuper(a), holder);

    public void ForceShutdown(string reason)
    {
        using var call = Enter(nameof(ForceShutdown), reason);
        try
        {
            Target.ForceShutdown(reason);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}

/// <summary>The guard of an address_space a plugin implements itself.</summary>
internal sealed class GuardedAddressSpace(IAddressSpace target, GuardScope scope)
    : Guard<IAddressSpace>(target, scope, nameof(IAddressSpace)), IAddressSpace
{
    public InodeNumber Host
    {
        get
        {
            using var call = Enter(nameof(Host));
            try
            {
                var result = Target.Host;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool IsDax
    {
        get
        {
            using var call = Enter(nameof(IsDax));
            try
            {
                var result = Target.IsDax;
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

/// <summary>The guard of a block device a plugin implements itself.</summary>
internal sealed class GuardedBlockDevice(IBlockDevice target, GuardScope scope)
    : Guard<IBlockDevice>(target, scope, nameof(IBlockDevice)), IBlockDevice
{
    public string Name
    {
        get
        {
            using var call = Enter(nameof(Name));
            try
            {
                var result = Target.Name;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public DeviceOffset Start
    {
        get
        {
            using var call = Enter(nameof(Start));
            try
            {
                var result = Target.Start;
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

    public bool IsPartition
    {
        get
        {
            using var call = Enter(nameof(IsPartition));
            try
            {
                var result = Target.IsPartition;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool SupportsDax
    {
        get
        {
            using var call = Enter(nameof(SupportsDax));
            try
            {
                var result = Target.SupportsDax;
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

/// <summary>The guard of a dax device a plugin implements itself.</summary>
internal sealed class GuardedDaxDevice(IDaxDevice target, GuardScope scope)
    : Guard<IDaxDevice>(target, scope, nameof(IDaxDevice)), IDaxDevice
{
    public string DiskName
    {
        get
        {
            using var call = Enter(nameof(DiskName));
            try
            {
                var result = Target.DiskName;
                call.Returned();
                return result;
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public bool IsAlive
    {
        get
        {
            using var call = Enter(nameof(IsAlive));
            try
            {
                var result = Target.IsAlive;
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

/// <summary>The guard of a kernel log a plugin implements itself.</summary>
internal sealed class GuardedKernelLog(IKernelLog target, GuardScope scope)
    : Guard<IKernelLog>(target, scope, nameof(IKernelLog)), IKernelLog
{
    public void Printk(KernelLogLevel level, string line)
    {
        using var call = Enter(nameof(Printk), level, line);
        try
        {
            Target.Printk(level, line);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}
