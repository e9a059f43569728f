using DaxHolder.Abstractions.Fs;

namespace DaxHolder.Host.PluginLoading;

/// <summary>The loaded plugins, and the errors of those that could not be loaded.</summary>
public sealed class PluginCatalog : IDisposable
{
    internal PluginCatalog(IReadOnlyList<LoadedPlugin> plugins, IReadOnlyList<PluginLoadError> errors)
    {
        Plugins = [.. plugins.OrderBy(p => p.Name, StringComparer.Ordinal)];
        Errors = errors;
    }

    /// <summary>The loaded plugins, by name.</summary>
    public IReadOnlyList<LoadedPlugin> Plugins { get; }

    /// <summary>One readable error per plugin folder that could not be used, in discovery order.</summary>
    public IReadOnlyList<PluginLoadError> Errors { get; }

    /// <summary>The filesystem type called <paramref name="name"/>, or null.</summary>
    public IFileSystemType? FindFileSystemType(string name) =>
        Plugins.SelectMany(p => p.FileSystemTypes).FirstOrDefault(t => t.Name == name);

    /// <summary>Unloads every plugin.</summary>
    public void Dispose()
    {
        foreach (var plugin in Plugins)
        {
            plugin.Unload();
        }
    }
}
