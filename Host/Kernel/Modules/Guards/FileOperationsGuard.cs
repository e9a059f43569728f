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

    public Errno Fallocate(InodeNumber inode, FallocateMode mode, FileOffset position, ByteLength length) =>
        ErrnoCall(nameof(Fallocate), (inode, mode, position, length), static (target, a) => target.Fallocate(a.Item1, a.Item2, a.Item3, a.Item4), inode, mode, position, length);

    public Errno Clone(InodeNumber source, InodeNumber destination) =>
        ErrnoCall(nameof(Clone), (source, destination), static (target, a) => target.Clone(a.Item1, a.Item2), source, destination);

    public Errno CloneRange(InodeNumber source, FileOffset sourcePosition, InodeNumber destination, FileOffset destinationPosition, ByteLength length) =>
        ErrnoCall(nameof(CloneRange), (source, sourcePosition, destination, destinationPosition, length), static (target, a) => target.CloneRange(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5), source, sourcePosition, destination, destinationPosition, length);

    public Errno Truncate(InodeNumber inode, ByteLength size) =>
        ErrnoCall(nameof(Truncate), (inode, size), static (target, a) => target.Truncate(a.Item1, a.Item2), inode, size);

    public Errno Unlink(string path) =>
        ErrnoCall(nameof(Unlink), path, static (target, a) => target.Unlink(a), path);

    public Errno SetXattr(InodeNumber inode, string name, ByteLength valueLength) =>
        ErrnoCall(nameof(SetXattr), (inode, name, valueLength), static (target, a) => target.SetXattr(a.Item1, a.Item2, a.Item3), inode, name, valueLength);

    public Errno RemoveXattr(InodeNumber inode, string name) =>
        ErrnoCall(nameof(RemoveXattr), (inode, name), static (target, a) => target.RemoveXattr(a.Item1, a.Item2), inode, name);

    public Errno Mkdir(string path) =>
        ErrnoCall(nameof(Mkdir), path, static (target, a) => target.Mkdir(a), path);

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

    public Errno SetDaxFlag(InodeNumber inode, bool dax) =>
        ErrnoCall(nameof(SetDaxFlag), (inode, dax), static (target, a) => target.SetDaxFlag(a.Item1, a.Item2), inode, dax);

    public Errno Fsync(InodeNumber inode) =>
        ErrnoCall(nameof(Fsync), inode, static (target, a) => target.Fsync(a), inode);
}
