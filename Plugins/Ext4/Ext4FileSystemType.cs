using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Plugins.Ext4.Layout;
using DaxHolder.Plugins.Ext4.Mount;

namespace DaxHolder.Plugins.Ext4;

/// <summary>
/// The "ext4" filesystem type: mkfs.ext4 with 4 KiB blocks (Layout/), and mount, which by default
/// takes the dax device with no holder operations as the kernel does, so every memory failure
/// takes the generic page-&gt;mapping path; notify_failure=rmap opts into the modelled proposal.
/// </summary>
internal sealed class Ext4FileSystemType : IFileSystemType
{
    public string Name => "ext4";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogDevice is not null || request.RealtimeDevice is not null)
        {
            return ErrnoOr<IFileSystemImage>.Fail(Errno.EINVAL, "ext4: an external journal device is not modelled, and ext4 has no realtime device");
        }

        var options = MkfsOptions.Parse(request.Options);
        if (!options.IsOk)
        {
            return ErrnoOr<IFileSystemImage>.Fail(options.Error, options.Message);
        }

        var layout = Ext4Geometry.Compute(request.Device.Size.Value / Ext4Geometry.BlockSize, options.Value);
        if (!layout.IsOk)
        {
            return ErrnoOr<IFileSystemImage>.Fail(layout.Error, layout.Message);
        }

        return ErrnoOr<IFileSystemImage>.Ok(new Ext4Image(request.Device, layout.Value.Geometry, layout.Value.Bitmap));
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The host hands back this plugin's own image (PluginGuard.Unwrap); anything else is not ext4.
        var image = request.Image as Ext4Image;
        return image is null
            ? ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"ext4: no ext4 filesystem on {request.Image.Device.Name} (VFS: can't find ext4 filesystem)")
            : Ext4Mount.Mount(request, image);
    }
}
