using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Ext4;

/// <summary>
/// The "ext4" filesystem type. Its on-media model, mount and notify_failure arrive with issue
/// #6; until then mkfs and mount say so with -EOPNOTSUPP instead of pretending.
/// </summary>
internal sealed class Ext4FileSystemType : IFileSystemType
{
    private const string NotModelled = "ext4: not modelled yet (DaxHolder issue #6)";

    public string Name => "ext4";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) =>
        ErrnoOr<IFileSystemImage>.Fail(Errno.EOPNOTSUPP, NotModelled);

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) =>
        ErrnoOr<IMountedFileSystem>.Fail(Errno.EOPNOTSUPP, NotModelled);
}
