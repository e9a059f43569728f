using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of a plugin's entry point.</summary>
internal sealed class GuardedDaxHolderPlugin(IDaxHolderPlugin target, GuardScope scope)
    : Guard<IDaxHolderPlugin>(target, scope, nameof(IDaxHolderPlugin)), IDaxHolderPlugin
{
    public void ConfigureServices(IServiceCollection services)
    {
        using var call = Enter(nameof(ConfigureServices), services);
        try
        {
            Target.ConfigureServices(services);
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}

/// <summary>The guard of a filesystem type (struct file_system_type and its mkfs), the first object the kernel wraps (<see cref="Fs.Filesystems"/>).</summary>
internal sealed class GuardedFileSystemType(IFileSystemType target, GuardScope scope)
    : Guard<IFileSystemType>(target, scope, nameof(IFileSystemType)), IFileSystemType
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

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        using var call = Enter(nameof(Mkfs), request);
        try
        {
            var result = Target.Mkfs(request);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        using var call = Enter(nameof(Mount), request);
        try
        {
            var result = Target.Mount(request);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return Guarded(result);
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public bool BuildsFilesAtMkfs
    {
        get
        {
            using var call = Enter(nameof(BuildsFilesAtMkfs));
            try
            {
                var result = Target.BuildsFilesAtMkfs;
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

/// <summary>The guard of what mkfs left on a device.</summary>
internal sealed class GuardedFileSystemImage(IFileSystemImage target, GuardScope scope)
    : Guard<IFileSystemImage>(target, scope, nameof(IFileSystemImage)), IFileSystemImage
{
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

    public IBlockDevice Device
    {
        get
        {
            using var call = Enter(nameof(Device));
            try
            {
                var result = Target.Device;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IBlockDevice? LogDevice
    {
        get
        {
            using var call = Enter(nameof(LogDevice));
            try
            {
                var result = Target.LogDevice;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IBlockDevice? RealtimeDevice
    {
        get
        {
            using var call = Enter(nameof(RealtimeDevice));
            try
            {
                var result = Target.RealtimeDevice;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }
}
