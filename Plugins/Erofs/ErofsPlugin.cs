using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using DaxHolder.Plugins.Erofs;
using Microsoft.Extensions.DependencyInjection;

[assembly: DaxHolderPlugin(typeof(ErofsPlugin), Name = "Erofs", FileSystems = ["erofs"])]

namespace DaxHolder.Plugins.Erofs;

/// <summary>The EROFS plugin's entry point: registers the "erofs" filesystem type.</summary>
public sealed class ErofsPlugin : IDaxHolderPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IFileSystemType, ErofsFileSystemType>();
}
