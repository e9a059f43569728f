using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Plugins.Erofs;

/// <summary>
/// The "erofs" filesystem type. Its on-media model, mount and notify_failure arrive with issue
/// #7; until then mkfs and mount say so with -EOPNOTSUPP instead of pretending.
/// </summary>
internal sealed class ErofsFileSystemType : IFileSystemType
{
    private const string NotModelled = "erofs: not modelled yet (DaxHolder issue #7)";

    public string Name => "erofs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) =>
        ErrnoOr<IFileSystemImage>.Fail(Errno.EOPNOTSUPP, NotModelled);

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) =>
        ErrnoOr<IMountedFileSystem>.Fail(Errno.EOPNOTSUPP, NotModelled);
}
