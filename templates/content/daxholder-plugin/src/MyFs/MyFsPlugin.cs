using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;
using MyFs;

// The entry point daxholder looks for, and the plugin's name in reports and --plugin-override.
[assembly: DaxHolderPlugin(typeof(MyFsPlugin), Name = "MyFs", FileSystems = ["myfs"])]

namespace MyFs;

/// <summary>The plugin's entry point: registers the "myfs" filesystem type.</summary>
public sealed class MyFsPlugin : IDaxHolderPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IFileSystemType, MyFsType>();
}

/// <summary>
/// The "myfs" filesystem type: mkfs lays out a superblock, a block bitmap, an inode table and a
/// root directory block (<see cref="MyFsImage"/>); mount registers as the dax holder with
/// notify_failure (<see cref="MyFsNotifyFailure"/>), so a memory failure on the disk is answered
/// from the filesystem's own reverse map (<see cref="MyFsReverseMap"/>).
/// </summary>
internal sealed class MyFsType : IFileSystemType
{
    public string Name => "myfs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.LogDevice is not null || request.RealtimeDevice is not null)
        {
            return ErrnoOr<IFileSystemImage>.Fail(Errno.EINVAL, "myfs: no external log or realtime device");
        }

        var made = MyFsImage.Mkfs(request.Device, request.Options);
        return made.IsOk ? ErrnoOr<IFileSystemImage>.Ok(made.Value) : ErrnoOr<IFileSystemImage>.Fail(made.Error, made.Message);
    }

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The host hands back this plugin's own image; anything else is another filesystem.
        return request.Image is MyFsImage image
            ? MyFsMount.Mount(request, image)
            : ErrnoOr<IMountedFileSystem>.Fail(Errno.EINVAL, $"myfs: no myfs filesystem on {request.Image.Device.Name}");
    }
}
