using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using DropIn;
using Microsoft.Extensions.DependencyInjection;

[assembly: DaxHolderPlugin(typeof(DropInPlugin), FileSystems = ["dropinfs"])]

namespace DropIn;

/// <summary>A drop-in plugin registering the "dropinfs" filesystem type.</summary>
public sealed class DropInPlugin : IDaxHolderPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IFileSystemType, DropInFileSystemType>();
}

/// <summary>A filesystem type with no model behind it: it refuses mkfs and mount.</summary>
internal sealed class DropInFileSystemType : IFileSystemType
{
    public string Name => "dropinfs";

    public ErrnoOr<IFileSystemImage> Mkfs(MkfsRequest request) =>
        ErrnoOr<IFileSystemImage>.Fail(Errno.EOPNOTSUPP, "dropinfs is a loading fixture");

    public ErrnoOr<IMountedFileSystem> Mount(MountRequest request) =>
        ErrnoOr<IMountedFileSystem>.Fail(Errno.EOPNOTSUPP, "dropinfs is a loading fixture");
}
