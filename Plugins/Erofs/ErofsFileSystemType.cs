using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Erofs.Format;
using DaxHolder.Plugins.Erofs.Mount;

namespace DaxHolder.Plugins.Erofs;

/// <summary>
/// The "erofs" filesystem type: mkfs.erofs builds a read-only image from the scenario's source
/// tree (Format/), and mount, which by default takes the dax device with no holder operations as
/// the kernel does, so every memory failure takes the generic page-&gt;mapping path;
/// notify_failure=rmap opts into the modelled proposal.
/// </summary>
internal sealed class ErofsFileSystemType : IFileSystemType
{
    /// <summary>The images this type made, by device, for a mount handed a proxy of one (as the ext4 plugin does).</summary>
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<IBlockDevice, ErofsImage> images = [];

    public string Name => "erofs";

    /// <summary>mkfs.erofs IMAGE DIR: the files come with the request.</summary>
    public bool BuildsFilesAtMkfs => true;

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogDevice is not null || request.RealtimeDevice is not null)
        {
            return ErrnoOr<IFileSystemImage>.Fail(Errno.EINVAL, "mkfs.erofs: EROFS has no log or realtime device (extra blob devices are not modelled)");
        }

        var options = ErofsMkfsOptions.Parse(request.Options);
        if (!options.IsOk)
        {
            return ErrnoOr<IFileSystemImage>.Fail(options.Error, options.Message);
        }

        var image = ErofsMkfs.Build(request.Device, options.Value, request.Files);
        if (!image.IsOk)
        {
            return ErrnoOr<IFileSystemImage>.Fail(image.Error, image.Message);
        }

        images.AddOrUpdate(request.Device, image.Value);
        return ErrnoOr<IFileSystemImage>.Ok(image.Value);
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var image = request.Image as ErofsImage
            ?? (request.Image.FileSystemType == Name && images.TryGetValue(request.Image.Device, out var made) ? made : null);
        return image is null
            ? ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"erofs: no erofs filesystem on {request.Image.Device.Name} (cannot find valid erofs superblock)")
            : ErofsMount.Mount(request, image);
    }
}
