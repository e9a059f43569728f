using System.Runtime.CompilerServices;
using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Kernel;
using DaxHolder.Plugins.Xfs.Format;

namespace DaxHolder.Plugins.Xfs;

/// <summary>
/// The "xfs" filesystem type: mkfs.xfs and mount. The image mkfs returns stays with the data
/// device (mount reads what is on the device): the host may hand mount a guarded view of the
/// image rather than the image itself, so mount finds it again by its device.
/// </summary>
internal sealed class XfsFileSystemType : IFileSystemType
{
    private readonly ConditionalWeakTable<IBlockDevice, XfsImage> onDevice = [];

    public string Name => "xfs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var made = XfsMkfs.Make(request);
        if (!made.IsOk)
        {
            return ErrnoOr<IFileSystemImage>.Fail(made.Error, made.Message);
        }

        onDevice.AddOrUpdate(request.Device, made.Value);
        return ErrnoOr<IFileSystemImage>.Ok(made.Value);
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var image = request.Image as XfsImage;
        if (image is null && request.Image.FileSystemType == Name && onDevice.TryGetValue(request.Image.Device, out var found))
        {
            image = found;
        }

        if (image is null)
        {
            request.Kernel.Log.Printk(KernelLogLevel.Warning, $"XFS ({request.SuperBlock.Id}): Invalid superblock magic number");
            return ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"xfs: no XFS filesystem on {request.Image.Device.Name}");
        }

        return XfsMount.Mount(request, image);
    }
}
