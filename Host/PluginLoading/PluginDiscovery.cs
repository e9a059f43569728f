namespace DaxHolder.PluginLoading;

/// <summary>
/// Finds plugin folders. A source directory is either a plugin folder itself (it holds a
/// *.deps.json or an assembly declaring [assembly: DaxHolderPlugin]), which is how a build
/// output is dropped in, or a folder of plugin folders, like <c>plugins/</c> beside the host.
/// Folders are taken in ordinal name order, so discovery is deterministic.
/// </summary>
internal static class PluginDiscovery
{
    /// <summary>A plugin folder, its main assembly, and what named the folder.</summary>
    internal sealed record Candidate(string Folder, PluginAssemblyInfo Assembly, string Origin)
    {
        /// <summary>The plugin's declared name, else its assembly's simple name.</summary>
        public string Name => Assembly.PluginName;
    }

    public static (IReadOnlyList<Candidate> Candidates, IReadOnlyList<PluginLoadError> Errors) Discover(IEnumerable<PluginSource> sources)
    {
        var candidates = new List<Candidate>();
        var errors = new List<PluginLoadError>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var folder in Readable(source.Directory, source.Directory, errors, () => FoldersOf(source, errors)) ?? [])
            {
                if (!seen.Add(Path.GetFullPath(folder)))
                {
                    continue; // the same folder named twice is loaded once
                }

                try
                {
                    if (Readable(folder, folder, errors, () => Inspect(folder, source.Origin)) is { } candidate)
                    {
                        candidates.Add(candidate);
                    }
                }
                catch (PluginLoadException e)
                {
                    errors.Add(e.Error);
                }
            }
        }

        return (candidates, errors);
    }

    /// <summary>Runs <paramref name="read"/>; a folder that cannot be read is one error naming it, not a crash.</summary>
    private static T? Readable<T>(string label, string folder, List<PluginLoadError> errors, Func<T> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            errors.Add(new(Path.GetFileName(Path.TrimEndingDirectorySeparator(label)), folder, $"it cannot be read ({e.Message})",
                "make the folder and its files readable by this user, or leave it out of the plugin search"));
            return null;
        }
    }

    private static List<string> FoldersOf(PluginSource source, List<PluginLoadError> errors)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(source.Directory));
        if (!Directory.Exists(source.Directory))
        {
            if (source.MustExist)
            {
                errors.Add(new(name, source.Directory, $"the directory named by {source.Origin} does not exist", "give an existing plugin folder or folder of plugin folders"));
            }

            return [];
        }

        if (LooksLikePluginFolder(source.Directory))
        {
            return [source.Directory];
        }

        var subfolders = Directory.GetDirectories(source.Directory).Order(StringComparer.Ordinal).ToList();
        if (subfolders.Count == 0 && source.MustExist)
        {
            errors.Add(new(name, source.Directory, $"the directory named by {source.Origin} holds no plugin", "point it at a plugin's build output (with its .deps.json) or at a folder of such folders"));
        }

        return subfolders;
    }

    private static bool LooksLikePluginFolder(string folder) =>
        Directory.EnumerateFiles(folder, "*.deps.json").Any()
        || Directory.EnumerateFiles(folder, "*.dll").Any(dll => PluginAssemblyInfo.TryRead(dll)?.DeclaresEntryPoint == true);

    /// <summary>Finds the folder's main assembly: the one named by its deps.json, else the one declaring the entry point.</summary>
    private static Candidate Inspect(string folder, string origin)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder));
        var declaring = Directory.GetFiles(folder, "*.dll").Order(StringComparer.Ordinal)
            .Select(PluginAssemblyInfo.TryRead).OfType<PluginAssemblyInfo>()
            .Where(a => a.DeclaresEntryPoint).ToList();
        var depsNamed = Directory.GetFiles(folder, "*.deps.json").Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(folder, Path.GetFileName(d)[..^".deps.json".Length] + ".dll"))
            .ToList();

        var main = declaring.Count switch
        {
            1 => declaring[0],
            0 => null,
            _ => throw new PluginLoadException(new(name, folder,
                $"{declaring.Count} assemblies declare [assembly: DaxHolderPlugin] ({string.Join(", ", declaring.Select(d => Path.GetFileName(d.Path)))})",
                "keep one plugin per folder")),
        };
        if (main is not null)
        {
            return new Candidate(folder, main, origin);
        }

        var fromDeps = depsNamed.Where(File.Exists).Select(PluginAssemblyInfo.TryRead).OfType<PluginAssemblyInfo>().FirstOrDefault();
        var problem = fromDeps is null
            ? "the folder holds no plugin assembly"
            : $"{Path.GetFileName(fromDeps.Path)} does not declare [assembly: DaxHolderPlugin(typeof(...))]";
        throw new PluginLoadException(new(name, folder, problem,
            "build the plugin with EnableDynamicLoading=true, declare its entry point with [assembly: DaxHolderPlugin(typeof(YourPlugin))], and copy its whole build output into this folder"));
    }
}
