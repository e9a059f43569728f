using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of a mounted filesystem: the seams it hands the kernel come back guarded too.</summary>
internal sealed class GuardedMountedFileSystem(IMountedFileSystem target, GuardScope scope)
    : Guard<IMountedFileSystem>(target, scope, nameof(IMountedFileSystem)), IMountedFileSystem
{
    public ISuperBlock SuperBlock
    {
        get
        {
            using var call = Enter(nameof(SuperBlock));
            try
            {
                var result = Target.SuperBlock;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IFileOperations Files
    {
        get
        {
            using var call = Enter(nameof(Files));
            try
            {
                var result = Target.Files;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IInodeCache Inodes
    {
        get
        {
            using var call = Enter(nameof(Inodes));
            try
            {
                var result = Target.Inodes;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IIomapOps Iomap
    {
        get
        {
            using var call = Enter(nameof(Iomap));
            try
            {
                var result = Target.Iomap;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public IReverseMap ReverseMap
    {
        get
        {
            using var call = Enter(nameof(ReverseMap));
            try
            {
                var result = Target.ReverseMap;
                call.Returned();
                return Guarded(result);
            }
            catch (Exception e) when (IsPlugins(e))
            {
                throw call.Threw(e);
            }
        }
    }

    public Errno Unmount() =>
        ErrnoCall(nameof(Unmount), 0, static (target, _) => target.Unmount());

    public void Shutdown()
    {
        using var call = Enter(nameof(Shutdown));
        try
        {
            Target.Shutdown();
            call.Returned();
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}
