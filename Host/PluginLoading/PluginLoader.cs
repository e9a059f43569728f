using System.Reflection;
using System.Runtime.Loader;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Abstractions.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Loader = McMaster.NETCore.Plugins.PluginLoader;

namespace DaxHolder.PluginLoading;

/// <summary>
/// Loads plugins from folders, each into its own unloadable context (McMaster.NETCore.Plugins'
/// PluginLoader, with the contract and the DI abstractions shared with the host). Every problem
/// with a plugin becomes one <see cref="PluginLoadError"/> naming the plugin and the fix; the
/// other plugins still load. Checks run before any plugin code does: the contract major it was
/// built against, then its direct dependencies; then its entry point runs. Two plugins with one
/// name, or two providing one filesystem type, are an error unless an override chooses one.
/// </summary>
public static class PluginLoader
{
    /// <summary>Loads every plugin the sources name, with no overrides.</summary>
    public static PluginCatalog Load(IEnumerable<PluginSource> sources) => Load(new PluginLoadOptions([.. sources]));

    /// <summary>Loads every plugin <paramref name="options"/> names, resolving clashes by its overrides.</summary>
    public static PluginCatalog Load(PluginLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (candidates, errors) = PluginDiscovery.Discover(options.Sources);
        var loaded = new List<LoadedPlugin>();
        var allErrors = new List<PluginLoadError>(errors);
        foreach (var candidate in candidates)
        {
            try
            {
                loaded.Add(LoadOne(candidate));
            }
            catch (PluginLoadException e)
            {
                allErrors.Add(e.Error);
            }
        }

        var overridden = new List<OverriddenPlugin>();
        var kept = PluginClashes.Resolve(loaded, options.Overrides, overridden, allErrors);
        foreach (var plugin in loaded.Except(kept))
        {
            plugin.Unload();
        }

        return new PluginCatalog(kept, overridden, allErrors);
    }

    private static LoadedPlugin LoadOne(PluginDiscovery.Candidate candidate)
    {
        var contract = CheckContract(candidate);
        CheckDependencies(candidate);
        var loader = Loader.CreateFromAssemblyFile(candidate.Assembly.Path, isUnloadable: true, sharedTypes: SharedAssemblies.Types);
        try
        {
            var entry = CreateEntryPoint(candidate, loader);
            return Register(candidate, contract, loader, entry);
        }
        catch
        {
            loader.Dispose();
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

    /// <summary>Every direct reference must come from the host, the .NET runtime, or the plugin's own folder (its deps.json).</summary>
    private static void CheckDependencies(PluginDiscovery.Candidate candidate)
    {
        var resolver = new AssemblyDependencyResolver(candidate.Assembly.Path);
        foreach (var reference in candidate.Assembly.References)
        {
            if (SharedAssemblies.IsShared(reference) || RuntimeAssemblies.Contains(reference.Name!))
            {
                continue;
            }

            var path = resolver.ResolveAssemblyToPath(reference) ?? Path.Combine(candidate.Folder, reference.Name + ".dll");
            if (!File.Exists(path))
            {
                throw MissingDependency(candidate, reference.FullName);
            }
        }
    }

    private static IDaxHolderPlugin CreateEntryPoint(PluginDiscovery.Candidate candidate, Loader loader)
    {
        try
        {
            var assembly = loader.LoadDefaultAssembly();
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

    /// <summary>
    /// Runs the entry point's ConfigureServices and reads the names of the filesystem types it
    /// registers from a throw-away container; each machine composes its own instances later.
    /// </summary>
    private static LoadedPlugin Register(PluginDiscovery.Candidate candidate, Version contract, Loader loader, IDaxHolderPlugin entry)
    {
        var registrations = new ServiceCollection();
        ServiceProvider? provider = null;
        try
        {
            entry.ConfigureServices(registrations);
            provider = registrations.BuildServiceProvider();
            var types = provider.GetServices<IFileSystemType>().ToList();
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

            DisposeQuietly(provider);
            return new LoadedPlugin(candidate.Assembly, candidate.Folder, candidate.Origin, contract, loader, [.. registrations], names);
        }
        catch (Exception e) when (e is not PluginLoadException)
        {
            DisposeQuietly(provider);
            var inner = e is TargetInvocationException { InnerException: { } ti } ? ti : e;
            throw inner switch
            {
                FileNotFoundException or FileLoadException => MissingDependency(candidate, (inner as FileNotFoundException)?.FileName ?? inner.Message),
                TypeLoadException or MissingMemberException => TypeLoadFailure(candidate, inner),
                _ => Fail(candidate, $"registering its services threw {inner.GetType().Name}: {inner.Message}", "fix the plugin's ConfigureServices or its filesystem types' constructors"),
            };
        }
    }

    /// <summary>
    /// The throw-away container's Dispose runs plugin code (its types' Dispose): whatever it
    /// throws is the machine's concern when it composes the plugin, not the loader's.
    /// </summary>
    private static void DisposeQuietly(ServiceProvider? provider)
    {
        try
        {
            provider?.Dispose();
        }
#pragma warning disable CA1031 // a plugin's failing Dispose must not fail its loading
        catch (Exception)
#pragma warning restore CA1031
        {
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
