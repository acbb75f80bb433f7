using Mono.Cecil;
using Mono.Cecil.Cil;

namespace SeizureIntel.Tests.Architecture;

/// <summary>
/// The node's feature folders (the first namespace segment under SeizureIntel: Seizures, Operations, Sharing, Linking,
/// Intelligence, ...) must not depend on each other in a cycle. Read from the compiled IL, so every kind of reference
/// counts: signatures, base types, attributes, and the types and members a method body touches.
/// </summary>
public sealed class FeatureFolderTests
{
    /// <summary>The composition root: it wires every feature, and nothing depends on it.</summary>
    private const string CompositionRoot = "Node";

    private static readonly Lazy<Dictionary<string, HashSet<string>>> Graph = new(Build);

    [Fact]
    public void no_feature_folder_imports_another_in_a_cycle()
    {
        var cycles = StronglyConnected(Graph.Value).Where(c => c.Count > 1).ToList();
        cycles.ShouldBeEmpty(string.Join("; ", cycles.Select(c => string.Join(" <-> ", c.Order()) + ": " + Edges(c))));
    }

    [Fact]
    public void nothing_depends_on_the_composition_root()
    {
        Graph.Value.Where(kv => kv.Key != CompositionRoot && kv.Value.Contains(CompositionRoot)).Select(kv => kv.Key).ShouldBeEmpty();
    }

    [Fact]
    public void seizures_operations_and_sharing_depend_on_each_other_in_one_direction_only()
    {
        var g = Graph.Value;
        g["Seizures"].ShouldNotContain("Operations");
        g["Seizures"].ShouldNotContain("Sharing");
        g["Seizures"].ShouldNotContain("Linking");
        g["Operations"].ShouldNotContain("Sharing");
        g["Operations"].ShouldNotContain("Linking");
        // The integration contracts depend on nothing of the node: partners build against them.
        g["Contracts"].ShouldBeEmpty();
        // The test would prove nothing if the graph were empty.
        g["Sharing"].ShouldContain("Seizures");
        g["Linking"].ShouldContain("Operations");
    }

    private static string Edges(IReadOnlyCollection<string> cycle) =>
        string.Join(", ", cycle.SelectMany(a => Graph.Value[a].Where(cycle.Contains).Select(b => $"{a}->{b}")));

    private static Dictionary<string, HashSet<string>> Build()
    {
        var path = typeof(SeizureIntel.Node.NodeApp).Assembly.Location;
        using var module = ModuleDefinition.ReadModule(path);
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in module.GetTypes())
        {
            if (FolderOf(type) is not { } from) continue;
            var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
            foreach (var referenced in References(type))
                if (FolderOf(referenced) is { } to && to != from) edges.Add(to);
        }
        return graph;
    }

    /// <summary>The feature folder of a type of the node: its namespace's segment after "SeizureIntel" (nested types: their outer type's).</summary>
    private static string? FolderOf(TypeReference? type)
    {
        while (type is { DeclaringType: not null }) type = type.DeclaringType;
        if (type is null || type.Scope is AssemblyNameReference { Name: not "SeizureIntel" }) return null;
        var ns = type.Namespace.Split('.');
        return ns.Length >= 2 && ns[0] == "SeizureIntel" ? ns[1] : null;
    }

    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        IEnumerable<TypeReference> Of(TypeReference? t)
        {
            if (t is null) yield break;
            yield return t.GetElementType();
            if (t is GenericInstanceType g)
                foreach (var a in g.GenericArguments.SelectMany(Of)) yield return a;
        }
        IEnumerable<TypeReference> Attributes(ICustomAttributeProvider p) =>
            p.HasCustomAttributes ? p.CustomAttributes.SelectMany(a => Of(a.AttributeType)) : [];

        foreach (var t in Of(type.BaseType)) yield return t;
        foreach (var t in type.Interfaces.SelectMany(i => Of(i.InterfaceType))) yield return t;
        foreach (var t in Attributes(type)) yield return t;
        foreach (var f in type.Fields) foreach (var t in Of(f.FieldType).Concat(Attributes(f))) yield return t;
        foreach (var p in type.Properties) foreach (var t in Of(p.PropertyType).Concat(Attributes(p))) yield return t;
        foreach (var m in type.Methods)
        {
            foreach (var t in Of(m.ReturnType).Concat(Attributes(m))) yield return t;
            foreach (var t in m.Parameters.SelectMany(p => Of(p.ParameterType).Concat(Attributes(p)))) yield return t;
            if (!m.HasBody) continue;
            foreach (var t in m.Body.Variables.SelectMany(v => Of(v.VariableType))) yield return t;
            foreach (var instruction in m.Body.Instructions)
                foreach (var t in instruction.Operand switch
                         {
                             TypeReference tr => Of(tr),
                             MethodReference mr => Of(mr.DeclaringType).Concat(Of(mr.ReturnType))
                                 .Concat(mr is GenericInstanceMethod gm ? gm.GenericArguments.SelectMany(Of) : []),
                             FieldReference fr => Of(fr.DeclaringType).Concat(Of(fr.FieldType)),
                             _ => [],
                         })
                    yield return t;
        }
    }

    /// <summary>Tarjan's strongly connected components: a component of more than one folder is a cycle.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in graph.Keys.ToList()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
