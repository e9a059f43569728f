using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using DaxHolder.Abstractions.Plugins;

namespace DaxHolder.PluginLoading;

/// <summary>
/// What a plugin assembly's metadata says, read without loading or running it: its identity,
/// the contract version it was compiled against, the assemblies it references, whether it
/// names an entry point with [assembly: DaxHolderPlugin], and the plugin name and filesystem
/// types that attribute declares (its <c>Name</c> and <c>FileSystems</c> properties), if any.
/// </summary>
internal sealed record PluginAssemblyInfo(
    string Path,
    AssemblyName Identity,
    string? InformationalVersion,
    Version? ContractVersion,
    bool DeclaresEntryPoint,
    string? DeclaredName,
    IReadOnlyList<AssemblyName> References)
{
    /// <summary>
    /// The filesystem types the plugin declares it registers (<c>FileSystems = [...]</c>), in
    /// declaration order; null when it declares none (then it is loaded for every run).
    /// </summary>
    public IReadOnlyList<string?>? DeclaredFileSystems { get; init; }

    /// <summary>Whether the plugin must be loaded for a run needing <paramref name="types"/>: it declares one of them, or declares nothing.</summary>
    public bool Provides(IReadOnlyCollection<string> types) =>
        DeclaredFileSystems is not { } declared || declared.Any(d => d is not null && types.Contains(d, StringComparer.Ordinal));

    /// <summary>The plugin's name: the one it declares, else its assembly's simple name (never its folder's).</summary>
    public string PluginName => DeclaredName ?? Identity.Name ?? System.IO.Path.GetFileNameWithoutExtension(Path);

    /// <summary>The plugin's version: its informational version without build metadata, else its assembly version.</summary>
    public string PluginVersion => InformationalVersion?.Split('+')[0] ?? Identity.Version?.ToString() ?? "?";

    private static readonly string EntryAttributeName = nameof(DaxHolderPluginAttribute);
    private static readonly string EntryAttributeNamespace = typeof(DaxHolderPluginAttribute).Namespace!;

    /// <summary>Reads <paramref name="path"/>; null if the file is not a .NET assembly.</summary>
    public static PluginAssemblyInfo? TryRead(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var pe = new PEReader(stream);
            if (!pe.HasMetadata)
            {
                return null;
            }

            var md = pe.GetMetadataReader();
            if (!md.IsAssembly)
            {
                return null;
            }

            var references = md.AssemblyReferences.Select(h => md.GetAssemblyReference(h).GetAssemblyName()).ToList();
            var contract = references.FirstOrDefault(r => r.Name == DaxHolderContract.AssemblyName)?.Version;
            var (declares, declaredName, declaredFileSystems, informational) = ReadAssemblyAttributes(md);
            return new PluginAssemblyInfo(path, md.GetAssemblyDefinition().GetAssemblyName(), informational, contract, declares, declaredName, references)
            {
                DeclaredFileSystems = declaredFileSystems,
            };
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }

    private static (bool DeclaresEntryPoint, string? DeclaredName, IReadOnlyList<string?>? DeclaredFileSystems, string? InformationalVersion) ReadAssemblyAttributes(MetadataReader md)
    {
        var declares = false;
        string? declaredName = null;
        IReadOnlyList<string?>? declaredFileSystems = null;
        string? informational = null;
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            var (ns, name) = AttributeTypeName(md, attribute);
            if (ns == EntryAttributeNamespace && name == EntryAttributeName)
            {
                declares = true;
                var named = ReadNamedArguments(md, attribute);
                declaredName = named.TryGetValue(nameof(DaxHolderPluginAttribute.Name), out var n) ? n as string : null;
                declaredFileSystems = named.TryGetValue(nameof(DaxHolderPluginAttribute.FileSystems), out var f) ? f as IReadOnlyList<string?> : null;
            }
            else if (ns == "System.Reflection" && name == nameof(AssemblyInformationalVersionAttribute))
            {
                informational = ReadSingleStringArgument(md, attribute);
            }
        }

        return (declares, declaredName, declaredFileSystems, informational);
    }

    private static (string Namespace, string Name) AttributeTypeName(MetadataReader md, CustomAttribute attribute)
    {
        if (attribute.Constructor.Kind == HandleKind.MemberReference)
        {
            var parent = md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind == HandleKind.TypeReference)
            {
                var type = md.GetTypeReference((TypeReferenceHandle)parent);
                return (md.GetString(type.Namespace), md.GetString(type.Name));
            }
        }
        else if (attribute.Constructor.Kind == HandleKind.MethodDefinition)
        {
            var type = md.GetTypeDefinition(md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType());
            return (md.GetString(type.Namespace), md.GetString(type.Name));
        }

        return ("", "");
    }

    /// <summary>The string argument of an attribute whose constructor takes one string (prolog 0x0001, then a SerString).</summary>
    private static string? ReadSingleStringArgument(MetadataReader md, CustomAttribute attribute)
    {
        var blob = md.GetBlobReader(attribute.Value);
        return blob.Length >= 2 && blob.ReadUInt16() == 1 ? blob.ReadSerializedString() : null;
    }

    /// <summary>
    /// The named arguments of [assembly: DaxHolderPlugin(typeof(X), Name = "...", FileSystems = [...])]
    /// that the contract declares: strings and string arrays (null for a null value). After the
    /// prolog comes the one fixed argument (a type, written as a SerString), then the count of
    /// named arguments and each as kind, element type, name and value; an array's value is its
    /// length (0xFFFFFFFF for null) and its elements (ECMA-335 II.23.3). An argument of another
    /// type ends the reading: the ones before it are returned.
    /// </summary>
    private static Dictionary<string, object?> ReadNamedArguments(MetadataReader md, CustomAttribute attribute)
    {
        var named = new Dictionary<string, object?>(StringComparer.Ordinal);
        var blob = md.GetBlobReader(attribute.Value);
        if (blob.Length < 2 || blob.ReadUInt16() != 1)
        {
            return named;
        }

        _ = blob.ReadSerializedString(); // the entry-point type
        if (blob.RemainingBytes < 2)
        {
            return named;
        }

        var count = blob.ReadUInt16();
        for (var i = 0; i < count; i++)
        {
            _ = blob.ReadByte(); // FIELD (0x53) or PROPERTY (0x54)
            var type = blob.ReadByte();
            if (type == (byte)SerializationTypeCode.String)
            {
                var name = blob.ReadSerializedString();
                named[name ?? ""] = blob.ReadSerializedString();
            }
            else if (type == (byte)SerializationTypeCode.SZArray && blob.ReadByte() == (byte)SerializationTypeCode.String)
            {
                var name = blob.ReadSerializedString();
                var length = blob.ReadUInt32();
                if (length == uint.MaxValue)
                {
                    named[name ?? ""] = null;
                    continue;
                }

                var values = new List<string?>();
                for (var j = 0u; j < length; j++)
                {
                    values.Add(blob.ReadSerializedString());
                }

                named[name ?? ""] = values;
            }
            else
            {
                break; // only strings and string arrays are declared by the contract
            }
        }

        return named;
    }
}
