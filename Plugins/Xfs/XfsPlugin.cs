using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using DaxHolder.Plugins.Xfs;
using Microsoft.Extensions.DependencyInjection;

[assembly: DaxHolderPlugin(typeof(XfsPlugin), Name = "Xfs", FileSystems = ["xfs"])]

namespace DaxHolder.Plugins.Xfs;

/// <summary>The XFS plugin's entry point: registers the "xfs" filesystem type.</summary>
public sealed class XfsPlugin : IDaxHolderPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IFileSystemType, XfsFileSystemType>();
}
