using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Kernel.Modules.Guards;

/// <summary>The guard of the file operations scenarios drive. The members with a default (Mkdir, ReadDir, SetXattr, ...) call through the interface, so the plugin's implementation runs if it has one and the default (fs/namei.c: vfs_mkdir() without -&gt;mkdir is -EPERM) otherwise.</summary>
internal sealed class GuardedFileOperations(IFileOperations target, GuardScope scope)
    : Guard<IFileOperations>(target, scope, nameof(IFileOperations)), IFileOperations
{
    public ErrnoOr<InodeNumber> Lookup(string path)
    {
        using var call = Enter(nameof(Lookup), path);
        try
        {
            var result = Target.Lookup(path);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<InodeNumber> Create(string path, FileCreateOptions options)
    {
        using var call = Enter(nameof(Create), path, options);
        try
        {
            var result = Target.Create(path, options);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<ByteLength> Read(InodeNumber inode, FileOffset position, ByteLength length)
    {
        using var call = Enter(nameof(Read), inode, position, length);
        try
        {
            var result = Target.Read(inode, position, length);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<ByteLength> Write(InodeNumber inode, FileOffset position, ByteLength length)
    {
        using var call = Enter(nameof(Write), inode, position, length);
        try
        {
            var result = Target.Write(inode, position, length);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length)
    {
        using var call = Enter(nameof(Fallocate), inode, mode, position, length);
        try
        {
            var result = Target.Fallocate(inode, mode, position, length);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Clone(InodeNumber source, InodeNumber destination)
    {
        using var call = Enter(nameof(Clone), source, destination);
        try
        {
            var result = Target.Clone(source, destination);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length)
    {
        using var call = Enter(nameof(CloneRange), source, sourcePosition, destination, destinationPosition, length);
        try
        {
            var result = Target.CloneRange(source, sourcePosition, destination, destinationPosition, length);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Truncate(InodeNumber inode, ByteLength size)
    {
        using var call = Enter(nameof(Truncate), inode, size);
        try
        {
            var result = Target.Truncate(inode, size);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Unlink(string path)
    {
        using var call = Enter(nameof(Unlink), path);
        try
        {
            var result = Target.Unlink(path);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength)
    {
        using var call = Enter(nameof(SetXattr), inode, name, valueLength);
        try
        {
            var result = Target.SetXattr(inode, name, valueLength);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno RemoveXattr(InodeNumber inode, string name)
    {
        using var call = Enter(nameof(RemoveXattr), inode, name);
        try
        {
            var result = Target.RemoveXattr(inode, name);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Mkdir(string path)
    {
        using var call = Enter(nameof(Mkdir), path);
        try
        {
            var result = Target.Mkdir(path);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<IReadOnlyList<DirectoryEntry>> ReadDir(string path)
    {
        using var call = Enter(nameof(ReadDir), path);
        try
        {
            var result = Target.ReadDir(path);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public ErrnoOr<FileStat> GetAttr(InodeNumber inode)
    {
        using var call = Enter(nameof(GetAttr), inode);
        try
        {
            var result = Target.GetAttr(inode);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result.Error));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno SetDaxFlag(InodeNumber inode, bool dax)
    {
        using var call = Enter(nameof(SetDaxFlag), inode, dax);
        try
        {
            var result = Target.SetDaxFlag(inode, dax);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }

    public Errno Fsync(InodeNumber inode)
    {
        using var call = Enter(nameof(Fsync), inode);
        try
        {
            var result = Target.Fsync(inode);
            call.Returned();
            call.Check(ContractChecks.ErrnoViolation(result));
            return result;
        }
        catch (Exception e) when (IsPlugins(e))
        {
            throw call.Threw(e);
        }
    }
}
