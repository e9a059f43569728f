using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// The "xfs" filesystem type. Its on-media model, mount and notify_failure arrive with issue
/// #5; until then mkfs and mount say so with -EOPNOTSUPP instead of pretending.
/// </summary>
internal sealed class XfsFileSystemType : IFileSystemType
{
    private const string NotModelled = "xfs: not modelled yet (DaxHolder issue #5)";

    public string Name => "xfs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) =>
        ErrnoOr<IFileSystemImage>.Fail(Errno.EOPNOTSUPP, NotModelled);

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) =>
        ErrnoOr<IMountedFileSystem>.Fail(Errno.EOPNOTSUPP, NotModelled);
}
