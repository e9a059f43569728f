namespace DaxHolder.PluginLoading;

/// <summary>
/// A plugin as clash detection sees it: its identity and the filesystem types it provides, either
/// registered (it was loaded: <see cref="Loaded"/>) or declared in its metadata (a run did not
/// need it, so it was not loaded).
/// </summary>
internal sealed class PluginClaim(string name, string version, string folder, string origin, IReadOnlyList<string> fileSystemNames, LoadedPlugin? loaded)
{
    public string Name { get; } = name;

    public string Version { get; } = version;

    public string Folder { get; } = folder;

    public string Origin { get; } = origin;

    public IReadOnlyList<string> FileSystemNames { get; } = fileSystemNames;

    /// <summary>The loaded plugin, or null for one known only by its declaration.</summary>
    public LoadedPlugin? Loaded { get; } = loaded;

    public static PluginClaim Of(LoadedPlugin plugin) =>
        new(plugin.Name, plugin.Version, plugin.Folder, plugin.Origin, plugin.FileSystemNames, plugin);

    /// <summary>A plugin not loaded, by what its metadata declares.</summary>
    public static PluginClaim Declared(PluginDiscovery.Candidate candidate) =>
        new(candidate.Name, candidate.Assembly.PluginVersion, candidate.Folder, candidate.Origin,
            [.. (candidate.Assembly.DeclaredFileSystems ?? []).OfType<string>()], null);
}

/// <summary>
/// Two plugins with one name (a user's build of a shipped plugin), or two plugins providing one
/// filesystem type: an error naming both, unless an override names the plugin that wins. Plugins
/// are taken in discovery order (beside daxholder, then DAXHOLDER_PLUGINS, then each --plugins),
/// so "the later one" is the one the user named last. Plugins a run did not load take part by
/// the names and filesystem types their metadata declares, so a clash is the same error whether
/// or not the run needed the clashing plugin.
/// </summary>
internal static class PluginClashes
{
    /// <summary>The plugins to keep; the others go to <paramref name="overridden"/> or, with an error, to <paramref name="errors"/>.</summary>
    public static List<PluginClaim> Resolve(IReadOnlyList<PluginClaim> loaded, IReadOnlyList<string> overrides, List<OverriddenPlugin> overridden, List<PluginLoadError> errors)
    {
        var wins = overrides.ToHashSet(StringComparer.Ordinal);
        foreach (var name in overrides.Where(n => loaded.All(p => p.Name != n)).Distinct(StringComparer.Ordinal))
        {
            errors.Add(new(name, "--plugin-override", $"no plugin named '{name}' was found",
                $"name one of the plugins found ({string.Join(", ", loaded.Select(p => p.Name).Distinct().Order(StringComparer.Ordinal))}), as `daxholder plugins` lists them"));
        }

        var kept = new List<PluginClaim>();
        foreach (var plugin in loaded)
        {
            if (kept.FirstOrDefault(k => k.Name == plugin.Name) is { } sameName)
            {
                if (wins.Contains(plugin.Name))
                {
                    SetAside(sameName, plugin, kept, overridden);
                    kept.Add(plugin);
                }
                else
                {
                    errors.Add(new(plugin.Name, plugin.Folder,
                        $"plugin '{sameName.Name}' {sameName.Version} ({sameName.Folder}) has the same name",
                        $"pass --plugin-override {plugin.Name} to use the one from {plugin.Origin} (the later source), or remove one of the two folders"));
                }

                continue;
            }

            var rivals = kept.Where(k => k.FileSystemNames.Intersect(plugin.FileSystemNames, StringComparer.Ordinal).Any()).ToList();
            if (rivals.Count == 0)
            {
                kept.Add(plugin);
            }
            else if (wins.Contains(plugin.Name) && rivals.All(r => !wins.Contains(r.Name)))
            {
                rivals.ForEach(r => SetAside(r, plugin, kept, overridden));
                kept.Add(plugin);
            }
            else if (rivals.All(r => wins.Contains(r.Name)) && !wins.Contains(plugin.Name))
            {
                overridden.Add(new(plugin.Name, plugin.Version, plugin.Folder, $"{rivals[0].Name} {rivals[0].Version} ({rivals[0].Folder})"));
            }
            else
            {
                var rival = rivals[0];
                var clash = rival.FileSystemNames.Intersect(plugin.FileSystemNames, StringComparer.Ordinal).First();
                errors.Add(new(plugin.Name, plugin.Folder,
                    $"claims filesystem '{clash}', which plugin '{rival.Name}' {rival.Version} ({rival.Folder}) already provides",
                    $"choose one with --plugin-override {plugin.Name} or --plugin-override {rival.Name}, remove one of the two plugin folders, or give one filesystem type another name"));
            }
        }

        return kept;
    }

    private static void SetAside(PluginClaim loser, PluginClaim winner, List<PluginClaim> kept, List<OverriddenPlugin> overridden)
    {
        kept.Remove(loser);
        overridden.Add(new(loser.Name, loser.Version, loser.Folder, $"{winner.Name} {winner.Version} ({winner.Folder})"));
    }
}
