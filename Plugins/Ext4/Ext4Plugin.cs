using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using DaxHolder.Plugins.Ext4;
using Microsoft.Extensions.DependencyInjection;

[assembly: DaxHolderPlugin(typeof(Ext4Plugin), Name = "Ext4", FileSystems = ["ext4"])]

namespace DaxHolder.Plugins.Ext4;

/// <summary>The ext4 plugin's entry point: registers the "ext4" filesystem type.</summary>
public sealed class Ext4Plugin : IDaxHolderPlugin
{
    /// <inheritdoc />
    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton<IFileSystemType, Ext4FileSystemType>();
}
