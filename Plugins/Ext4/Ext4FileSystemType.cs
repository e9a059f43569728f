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
        return layout.IsOk
            ? ErrnoOr<IFileSystemImage>.Ok(new Ext4Image(request.Device, layout.Value.Geometry, layout.Value.Bitmap))
            : ErrnoOr<IFileSystemImage>.Fail(layout.Error, layout.Message);
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) => Ext4Mount.Mount(request);
}
