using System.Reflection;
using System.Text;

namespace DaxHolder.Tests.Support;

/// <summary>
/// Renders an assembly's public surface as stable text, one line per type and member, sorted.
/// PublicApiGenerator cannot be restored here; this covers what a contract change can touch:
/// types with their kind, base and interfaces, and public or protected members with signatures.
/// </summary>
public static class PublicApiText
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string Render(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var text = new StringBuilder();
        text.Append("assembly ").Append(assembly.GetName().Name).Append(' ').Append(assembly.GetName().Version).Append('\n');
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append('\n').Append(TypeHeader(type)).Append('\n');
            foreach (var member in Members(type).Order(StringComparer.Ordinal))
            {
                text.Append("    ").Append(member).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string TypeHeader(Type type)
    {
        var kind = type.IsInterface ? "interface"
            : type.IsEnum ? "enum"
            : type.IsValueType ? (type.IsDefined(typeof(System.Runtime.CompilerServices.IsReadOnlyAttribute)) ? "readonly struct" : "struct")
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate"
            : type.IsAbstract && type.IsSealed ? "static class"
            : (type.IsSealed ? "sealed " : type.IsAbstract ? "abstract " : "") + "class";
        var bases = new List<string>();
        if (type.IsEnum)
        {
            bases.Add(Name(Enum.GetUnderlyingType(type)));
        }
        else if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType))
        {
            bases.Add(Name(b));
        }

        // An enum's interfaces are System.Enum's, which the runtime version decides, not the contract.
        bases.AddRange(type.IsEnum ? [] : type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        var attributes = type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(FlagsAttribute) || a.AttributeType == typeof(AttributeUsageAttribute))
            .Select(a => $"[{a.AttributeType.Name.Replace("Attribute", "", StringComparison.Ordinal)}] ");
        return $"{string.Concat(attributes)}{kind} {Name(type)}{(bases.Count > 0 ? " : " + string.Join(", ", bases) : "")}";
    }

    private static IEnumerable<string> Members(Type type)
    {
        if (type.IsEnum)
        {
            return type.GetFields(BindingFlags.Public | BindingFlags.Static)
                .Select(f => $"{f.Name} = {Convert.ToUInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}");
        }

        var members = new List<string>();
        foreach (var member in type.GetMembers(Declared))
        {
            switch (member)
            {
                case ConstructorInfo c when Visible(c):
                    members.Add($"{Access(c)}{(c.IsStatic ? "static " : "")}ctor({Parameters(c)})");
                    break;
                case MethodInfo m when Visible(m) && !m.IsSpecialName || (m.IsSpecialName && m.Name.StartsWith("op_", StringComparison.Ordinal) && Visible(m)):
                    members.Add($"{Access(m)}{Modifiers(m)}{Name(m.ReturnType)} {m.Name}{Generic(m)}({Parameters(m)})");
                    break;
                case PropertyInfo p when p.GetMethod is { } g && Visible(g) || p.SetMethod is { } s && Visible(s):
                    members.Add($"{Access(p.GetMethod ?? p.SetMethod!)}{Modifiers(p.GetMethod ?? p.SetMethod!)}{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod is { } pg && Visible(pg) ? "get; " : "")}{(p.SetMethod is { } ps && Visible(ps) ? (IsInit(ps) ? "init; " : "set; ") : "")}}}");
                    break;
                case FieldInfo f when f.IsPublic || f.IsFamily:
                    members.Add($"{(f.IsPublic ? "public " : "protected ")}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}{(f.IsLiteral ? " = " + f.GetRawConstantValue() : "")}");
                    break;
                case EventInfo e when e.AddMethod is { } a && Visible(a):
                    members.Add($"event {Name(e.EventHandlerType!)} {e.Name}");
                    break;
            }
        }

        return members;
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Access(MethodBase m) => m.IsPublic ? "public " : "protected ";

    private static string Modifiers(MethodInfo m) =>
        m.IsStatic ? "static "
        : m.DeclaringType!.IsInterface ? ""
        : m.IsAbstract ? "abstract "
        : m.IsVirtual && !m.IsFinal && m.GetBaseDefinition() == m ? "virtual "
        : m.IsVirtual && m.GetBaseDefinition() != m ? "override "
        : "";

    private static bool IsInit(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.FullName == "System.Runtime.CompilerServices.IsExternalInit");

    private static string Generic(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p =>
            $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "")}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Name(Type type)
    {
        if (type.IsByRef)
        {
            return Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(type) is { } inner)
        {
            return Name(inner) + "?";
        }

        var name = type.IsGenericParameter ? type.Name : (type.IsNested ? Name(type.DeclaringType!) + "." : type.Namespace + ".") + type.Name;
        if (type.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
