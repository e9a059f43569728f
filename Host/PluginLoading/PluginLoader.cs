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

    /// <summary>
    /// Loads the plugins <paramref name="options"/> names (those providing its
    /// <see cref="PluginLoadOptions.FileSystems"/>, when it gives them), resolving clashes by its overrides.
    /// </summary>
    public static PluginCatalog Load(PluginLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (candidates, errors) = PluginDiscovery.Discover(options.Sources);
        var allErrors = new List<PluginLoadError>(errors);
        var attempted = new Dictionary<PluginDiscovery.Candidate, LoadedPlugin?>();
        var needed = options.FileSystems;
        TryLoad(candidates.Where(c => needed is null || c.Assembly.Provides(needed)), attempted, allErrors, options.Unloadable);
        if (needed is not null && needed.Any(type => !Declared(candidates, type) && !Registered(attempted.Values, type)))
        {
            TryLoad(candidates, attempted, allErrors, options.Unloadable);
        }

        // Discovery order, each plugin as loaded, or by its declaration when it was not needed;
        // one that failed to load takes no part.
        var claims = candidates
            .Select(c => attempted.TryGetValue(c, out var plugin) ? (plugin is null ? null : PluginClaim.Of(plugin)) : PluginClaim.Declared(c))
            .OfType<PluginClaim>()
            .ToList();
        var overridden = new List<OverriddenPlugin>();
        var kept = PluginClashes.Resolve(claims, options.Overrides, overridden, allErrors);
        foreach (var plugin in claims.Except(kept).Select(c => c.Loaded).OfType<LoadedPlugin>())
        {
            plugin.Unload();
        }

        return new PluginCatalog([.. kept.Select(c => c.Loaded).OfType<LoadedPlugin>()], overridden, allErrors);
    }

    /// <summary>Loads each candidate not yet tried; a failure is recorded as null and its error kept.</summary>
    private static void TryLoad(IEnumerable<PluginDiscovery.Candidate> candidates, Dictionary<PluginDiscovery.Candidate, LoadedPlugin?> attempted, List<PluginLoadError> errors, bool unloadable)
    {
        foreach (var candidate in candidates.Where(c => !attempted.ContainsKey(c)).ToList())
        {
            try
            {
                attempted[candidate] = LoadOne(candidate, unloadable);
            }
            catch (PluginLoadException e)
            {
                attempted[candidate] = null;
                errors.Add(e.Error);
            }
        }
    }

    private static bool Declared(IEnumerable<PluginDiscovery.Candidate> candidates, string type) =>
        candidates.Any(c => c.Assembly.DeclaredFileSystems?.Contains(type, StringComparer.Ordinal) == true);

    private static bool Registered(IEnumerable<LoadedPlugin?> loaded, string type) =>
        loaded.Any(p => p?.FileSystemNames.Contains(type, StringComparer.Ordinal) == true);

    private static LoadedPlugin LoadOne(PluginDiscovery.Candidate candidate, bool unloadable)
    {
        var contract = CheckContract(candidate);
        CheckDependencies(candidate);
        var loader = Loader.CreateFromAssemblyFile(candidate.Assembly.Path, isUnloadable: unloadable, sharedTypes: SharedAssemblies.Types);
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

            CheckDeclaration(candidate, names);

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
    /// A plugin that declares its filesystem types (<c>DaxHolderPlugin(FileSystems = ...)</c>)
    /// must register exactly those: runs choose which plugins to load by the declaration, so one
    /// that lies would be left out of runs it serves, or loaded for runs it cannot serve.
    /// </summary>
    private static void CheckDeclaration(PluginDiscovery.Candidate candidate, List<string> registered)
    {
        if (candidate.Assembly.DeclaredFileSystems is not { } declared
            || declared.ToHashSet(StringComparer.Ordinal).SetEquals(registered))
        {
            return;
        }

        throw Fail(candidate,
            $"it declares filesystem types {Quoted(declared)} ([assembly: DaxHolderPlugin(..., FileSystems = ...)]) but registers {Quoted(registered)}",
            $"make {nameof(DaxHolderPluginAttribute.FileSystems)} name exactly the filesystem types ConfigureServices registers, or leave it out");
    }

    /// <summary>"'ext2', 'ext4'", or "none".</summary>
    private static string Quoted(IEnumerable<string?> names) =>
        names.Any() ? string.Join(", ", names.Select(n => n is null ? "null" : $"'{n}'")) : "none";

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
