using System.Reflection;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Host.PluginLoading;

/// <summary>
/// Loads plugins from folders, one collectible load context each. Every problem with a plugin
/// becomes one <see cref="PluginLoadError"/> naming the plugin and the fix; the other plugins
/// still load. Checks run before any plugin code does: the contract major it was built
/// against, then its direct dependencies; then its entry point runs, guarded.
/// </summary>
public static class PluginLoader
{
    /// <summary>Loads every plugin the sources name.</summary>
    public static PluginCatalog Load(IEnumerable<PluginSource> sources)
    {
        var (candidates, errors) = PluginDiscovery.Discover(sources);
        var loaded = new List<LoadedPlugin>();
        var owners = new Dictionary<string, LoadedPlugin>(StringComparer.Ordinal);
        var allErrors = new List<PluginLoadError>(errors);
        foreach (var candidate in candidates)
        {
            LoadedPlugin plugin;
            try
            {
                plugin = LoadOne(candidate);
            }
            catch (PluginLoadException e)
            {
                allErrors.Add(e.Error);
                continue;
            }

            var clash = plugin.FileSystemNames.FirstOrDefault(owners.ContainsKey);
            if (clash is not null)
            {
                var first = owners[clash];
                allErrors.Add(new(plugin.Name, plugin.Folder,
                    $"claims filesystem '{clash}', which plugin '{first.Name}' ({first.Folder}) already provides",
                    "remove one of the two plugin folders, or give one filesystem type another name"));
                plugin.Unload();
                continue;
            }

            foreach (var name in plugin.FileSystemNames)
            {
                owners[name] = plugin;
            }

            loaded.Add(plugin);
        }

        return new PluginCatalog(loaded, allErrors);
    }

    private static LoadedPlugin LoadOne(PluginDiscovery.Candidate candidate)
    {
        var contract = CheckContract(candidate);
        var context = new PluginLoadContext(candidate.Name, candidate.Assembly.Path);
        try
        {
            CheckDependencies(candidate, context);
            var entry = CreateEntryPoint(candidate, context);
            return Register(candidate, contract, context, entry);
        }
        catch
        {
            context.Unload();
            throw;
        }
    }

    private static Version CheckContract(PluginDiscovery.Candidate candidate)
    {
        var host = DaxHolderContract.Major;
        var built = candidate.Assembly.ContractVersion
            ?? throw Fail(candidate, $"{Path.GetFileName(candidate.Assembly.Path)} does not reference {DaxHolderContract.AssemblyName}",
                $"build the plugin against {DaxHolderContract.AssemblyName} {host}.x");
        if (built.Major > host)
        {
            throw Fail(candidate, $"it was built against contract {built.Major}.x ({DaxHolderContract.AssemblyName} {built}), newer than this daxholder's contract {host}.x",
                $"update daxholder to a release with contract {built.Major}.x, or rebuild the plugin against {DaxHolderContract.AssemblyName} {host}.x");
        }

        if (built.Major < host)
        {
            throw Fail(candidate, $"it was built against contract {built.Major}.x ({DaxHolderContract.AssemblyName} {built}), older than this daxholder's contract {host}.x",
                $"rebuild the plugin against {DaxHolderContract.AssemblyName} {host}.x");
        }

        return built;
    }

    /// <summary>Every direct reference must come from the host, the .NET runtime, or the plugin's own folder.</summary>
    private static void CheckDependencies(PluginDiscovery.Candidate candidate, PluginLoadContext context)
    {
        foreach (var reference in candidate.Assembly.References)
        {
            if (SharedAssemblies.IsShared(reference) || RuntimeAssemblies.Contains(reference.Name!))
            {
                continue;
            }

            var path = context.ResolvePrivate(reference) ?? Path.Combine(candidate.Folder, reference.Name + ".dll");
            if (!File.Exists(path))
            {
                throw MissingDependency(candidate, reference.FullName);
            }
        }
    }

    private static IDaxHolderPlugin CreateEntryPoint(PluginDiscovery.Candidate candidate, PluginLoadContext context)
    {
        try
        {
            var assembly = context.LoadFromAssemblyPath(candidate.Assembly.Path);
            var entryType = assembly.GetCustomAttribute<DaxHolderPluginAttribute>()!.EntryPoint;
            if (!typeof(IDaxHolderPlugin).IsAssignableFrom(entryType))
            {
                throw Fail(candidate, $"its entry point {entryType.FullName} does not implement {nameof(IDaxHolderPlugin)}",
                    $"make {entryType.Name} a public class implementing {typeof(IDaxHolderPlugin).FullName}");
            }

            return (IDaxHolderPlugin)(Activator.CreateInstance(entryType)
                ?? throw Fail(candidate, $"{entryType.FullName} could not be created", "give it a public parameterless constructor"));
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException)
        {
            throw MissingDependency(candidate, ((e as FileNotFoundException)?.FileName ?? (e as FileLoadException)?.FileName) ?? e.Message);
        }
        catch (Exception e) when (e is TypeLoadException or MissingMemberException or BadImageFormatException or ReflectionTypeLoadException
            || e is TargetInvocationException { InnerException: TypeLoadException or MissingMemberException })
        {
            throw TypeLoadFailure(candidate, e is TargetInvocationException t ? t.InnerException! : e);
        }
        catch (TargetInvocationException e)
        {
            throw Fail(candidate, $"its entry point's constructor threw {e.InnerException!.GetType().Name}: {e.InnerException.Message}",
                "fix the plugin's constructor; it must not fail");
        }
    }

    private static LoadedPlugin Register(PluginDiscovery.Candidate candidate, Version contract, PluginLoadContext context, IDaxHolderPlugin entry)
    {
        var registrations = new ServiceCollection();
        ServiceProvider? provider = null;
        try
        {
            entry.ConfigureServices(registrations);
            provider = registrations.BuildServiceProvider();
            var types = provider.GetServices<IFileSystemType>()
                .Select(t => PluginGuard.Wrap(t, candidate.Name))
                .ToList();
            if (types.Count == 0)
            {
                throw Fail(candidate, "it registers no filesystem type", $"register one in ConfigureServices: services.AddSingleton<{nameof(IFileSystemType)}, YourType>()");
            }

            var names = types.Select(t => t.Name).ToList();
            if (names.FirstOrDefault(n => string.IsNullOrWhiteSpace(n) || n.Any(char.IsWhiteSpace)) is { } bad)
            {
                throw Fail(candidate, $"it registers a filesystem type named '{bad}'", "give every filesystem type a name without spaces, as mount -t takes it (e.g. \"xfs\")");
            }

            if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            {
                throw Fail(candidate, $"it registers filesystem '{twice.Key}' {twice.Count()} times", "register each filesystem type once");
            }

            var version = candidate.Assembly.InformationalVersion ?? candidate.Assembly.Identity.Version?.ToString() ?? "?";
            return new LoadedPlugin(candidate.Name, candidate.Folder, candidate.Assembly.Path, version, contract, context, provider, [.. registrations], types);
        }
        catch (Exception e) when (e is not PluginLoadException)
        {
            provider?.Dispose();
            var inner = e is PluginCallException { InnerException: { } pe } ? pe : e;
            throw inner switch
            {
                FileNotFoundException or FileLoadException => MissingDependency(candidate, (inner as FileNotFoundException)?.FileName ?? inner.Message),
                TypeLoadException or MissingMemberException => TypeLoadFailure(candidate, inner),
                _ => Fail(candidate, $"registering its services threw {inner.GetType().Name}: {inner.Message}", "fix the plugin's ConfigureServices or its filesystem types' constructors"),
            };
        }
    }

    private static PluginLoadException Fail(PluginDiscovery.Candidate candidate, string problem, string fix) =>
        new(new PluginLoadError(candidate.Name, candidate.Folder, problem, fix));

    private static PluginLoadException MissingDependency(PluginDiscovery.Candidate candidate, string dependency) =>
        Fail(candidate, $"it needs {dependency}, which is neither in its folder nor in the .NET runtime",
            "copy the plugin's complete build output (dotnet publish) into its folder");

    private static PluginLoadException TypeLoadFailure(PluginDiscovery.Candidate candidate, Exception e) =>
        Fail(candidate, $"a type failed to load ({e.GetType().Name}: {e.Message})",
            $"rebuild the plugin against this daxholder's {DaxHolderContract.AssemblyName} {DaxHolderContract.Major}.x and ship all its dependencies");
}
