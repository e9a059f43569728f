using DaxHolder.PluginLoading;
using DaxHolder.Scenarios.Language;

namespace DaxHolder.Scenarios.Running;

/// <summary>Where to look for plugins and which wins a clash, as the command line gives it.</summary>
/// <param name="HostDirectory">Where daxholder lives: its <c>plugins/</c> folder is searched first.</param>
/// <param name="EnvironmentValue">The value of DAXHOLDER_PLUGINS, or null.</param>
/// <param name="Directories">Each <c>--plugins DIR</c>, in order.</param>
/// <param name="Overrides">Each <c>--plugin-override NAME</c>.</param>
internal sealed record PluginSearch(string HostDirectory, string? EnvironmentValue, IReadOnlyList<string> Directories, IReadOnlyList<string> Overrides)
{
    /// <summary>Whether the plugins can be unloaded again (<see cref="PluginLoadOptions.Unloadable"/>); a one-command process does not need to.</summary>
    public bool Unloadable { get; init; } = true;
}

/// <summary>One loaded plugin as <c>daxholder plugins</c> lists it.</summary>
internal sealed record PluginRow(string Name, IReadOnlyList<string> FileSystemTypes, string Version, string Contract, string Folder)
{
    /// <summary>"xfs" or "ext2, ext3, ext4": the filesystem types on one line.</summary>
    public string FileSystems => string.Join(", ", FileSystemTypes);
}

/// <summary>
/// The plugins a command runs with: the scenario layer's view of plugin loading, so the command
/// line needs nothing of it but this.
/// </summary>
internal sealed class PluginSet : IDisposable
{
    private PluginSet(PluginCatalog catalog)
    {
        Catalog = catalog;
    }

    /// <summary>The environment variable listing more plugin directories.</summary>
    public const string EnvironmentVariable = PluginSource.EnvironmentVariable;

    /// <summary>The loaded plugins.</summary>
    public PluginCatalog Catalog { get; }

    /// <summary>One line per plugin that could not be used: the plugin, where, the problem and the fix.</summary>
    public IReadOnlyList<string> Errors => [.. Catalog.Errors.Select(e => e.ToString())];

    /// <summary>The loaded plugins, by name.</summary>
    public IReadOnlyList<PluginRow> Plugins =>
        [.. Catalog.Plugins.Select(p => new PluginRow(p.Name, [.. p.FileSystemNames], p.Version, $"{p.ContractVersion.Major}.{p.ContractVersion.Minor}", p.Folder))];

    /// <summary>"Xfs 0.1.0 (folder): overridden by Xfs 0.2.0 (folder)", one per plugin set aside.</summary>
    public IReadOnlyList<string> Overridden => [.. Catalog.Overridden.Select(o => $"{o.Name} {o.Version} ({o.Folder}): overridden by {o.By}")];

    /// <summary>
    /// Loads the plugins <paramref name="search"/> names: with <paramref name="fileSystems"/>,
    /// only those declaring one of those filesystem types and those declaring none (a run loads
    /// what its scenarios use); without, every plugin.
    /// </summary>
    public static PluginSet Load(PluginSearch search, IReadOnlyCollection<string>? fileSystems = null)
    {
        ArgumentNullException.ThrowIfNull(search);
        var sources = PluginSource.Resolve(search.HostDirectory, search.EnvironmentValue, search.Directories);
        return new PluginSet(PluginLoader.Load(new PluginLoadOptions(sources, search.Overrides) { FileSystems = fileSystems, Unloadable = search.Unloadable }));
    }

    /// <summary>
    /// The filesystem types the cells of <paramref name="scenarios"/> use (each document with its
    /// cells), or null when one cannot be told without binding (then every plugin is loaded).
    /// </summary>
    public static IReadOnlyCollection<string>? FileSystemsOf(IEnumerable<(ScenarioDocument Document, IEnumerable<IReadOnlyList<ScenarioSetting>> Cells)> scenarios)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (document, cells) in scenarios)
        {
            if (document.FileSystemTypes(cells) is not { } types)
            {
                return null;
            }

            all.UnionWith(types);
        }

        return all;
    }

    /// <summary>Unloads every plugin.</summary>
    public void Dispose() => Catalog.Dispose();
}
