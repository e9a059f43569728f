namespace DaxHolder.PluginLoading;

/// <summary>The loaded plugins, those another plugin overrode, and the errors of those that could not be loaded.</summary>
public sealed class PluginCatalog : IDisposable
{
    internal PluginCatalog(IReadOnlyList<LoadedPlugin> plugins, IReadOnlyList<OverriddenPlugin> overridden, IReadOnlyList<PluginLoadError> errors)
    {
        Plugins = [.. plugins.OrderBy(p => p.Name, StringComparer.Ordinal)];
        Overridden = overridden;
        Errors = errors;
    }

    /// <summary>The loaded plugins, by name.</summary>
    public IReadOnlyList<LoadedPlugin> Plugins { get; }

    /// <summary>Plugins set aside because a <c>--plugin-override</c> chose another, in discovery order.</summary>
    public IReadOnlyList<OverriddenPlugin> Overridden { get; }

    /// <summary>One readable error per plugin folder that could not be used, in discovery order.</summary>
    public IReadOnlyList<PluginLoadError> Errors { get; }

    /// <summary>The plugin providing filesystem type <paramref name="name"/>, or null.</summary>
    public LoadedPlugin? FindProvider(string name) =>
        Plugins.FirstOrDefault(p => p.FileSystemNames.Contains(name, StringComparer.Ordinal));

    /// <summary>Unloads every plugin.</summary>
    public void Dispose()
    {
        foreach (var plugin in Plugins)
        {
            plugin.Unload();
        }
    }
}

/// <summary>A plugin that loaded but was set aside for another: what it was, where, and which plugin won.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Version">Its version.</param>
/// <param name="Folder">Its folder.</param>
/// <param name="By">The plugin that was loaded instead ("Xfs 0.2.0-dev from /path").</param>
public sealed record OverriddenPlugin(string Name, string Version, string Folder, string By);
