using Backprop.Kernels;

namespace Backprop.Autograd;

/// <summary>
/// The backward pass through tensor ops: each tensor's gradient is a <see cref="Tensor"/>, and each node's
/// <see cref="GraphBackwardFn"/> computes its inputs' gradients with ordinary ops. With createGraph those ops record
/// a graph of their own, so that a gradient can be differentiated again (torch's create_graph); and since the ops
/// run in the tensors' own dtype, it is how float64 graphs go backward. <see cref="BackwardEngine"/>, the float32
/// path on raw storage, hands a pass over when a node has no storage backward (a float64 op, a dtype conversion).
/// </summary>
internal static class GraphEngine
{
    /// <summary>
    /// Backpropagates <paramref name="gradients"/> (one per root, shaped and typed like it) through the graph.
    /// With <paramref name="accumulate"/> the leaves' <see cref="Tensor.Grad"/> (and retained gradients) receive
    /// the result, as <see cref="Tensor.Backward(Tensor?, bool, bool)"/> does; either way the gradient of every
    /// tensor the pass reached is returned.
    /// </summary>
    public static Dictionary<Tensor, Tensor> Run(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor> gradients, bool retainGraph, bool createGraph, bool accumulate) =>
        Run(roots, gradients, retainGraph, createGraph, accumulate, stopAt: []);

    /// <summary>
    /// The gradients of <paramref name="output"/>, given <paramref name="grad"/>, with respect to <paramref name="inputs"/>
    /// alone: the pass stops at them and does not go on into their history. A fused op's backward through tensor ops
    /// recomputes the op from its inputs with tensor ops and differentiates that (see Tensor.Recomputed); under
    /// createGraph (grad mode on) the gradients get a graph of their own.
    /// </summary>
    public static Tensor?[] Through(Tensor output, Tensor grad, Tensor[] inputs)
    {
        var reached = Run([output], [grad], retainGraph: false, createGraph: GradMode.IsEnabled, accumulate: false, stopAt: inputs);
        var grads = new Tensor?[inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            grads[i] = reached.GetValueOrDefault(inputs[i]);
        }

        return grads;
    }

    private static Dictionary<Tensor, Tensor> Run(IReadOnlyList<Tensor> roots, IReadOnlyList<Tensor> gradients, bool retainGraph, bool createGraph, bool accumulate, Tensor[] stopAt)
    {
        var why = createGraph ? "createGraph (a higher-order gradient)" : "a backward pass through float64 tensors";
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(stopAt, ReferenceEqualityComparer.Instance);
        var stack = new Stack<(Tensor Tensor, int Next)>();
        foreach (var root in roots)
        {
            if (root.GradFn is not null && !visited.Contains(root))
            {
                GraphOrder.Topological(root, includeLeaves: false, order, visited, stack);
            }
        }

        foreach (var t in order)
        {
            t.GradFn!.ThrowIfFreed(t);
            t.GradFn.ThrowIfReleased(t);
        }

        var parents = AnomalyMode.IsEnabled && roots.Count > 0 ? AnomalyMode.Parents(roots[0]) : null;
        var grads = new Dictionary<Tensor, Tensor>(ReferenceEqualityComparer.Instance);
        using (new GradModeScope(createGraph))
        {
            for (var i = 0; i < roots.Count; i++)
            {
                Add(grads, roots[i], gradients[i], "the root");
            }

            for (var i = order.Count - 1; i >= 0; i--)
            {
                var t = order[i];
                var node = t.GradFn!;
                if (grads.TryGetValue(t, out var g))
                {
                    if (t.HasHooks)
                    {
                        g = grads[t] = t.ApplyHooks(g);
                    }

                    if (accumulate && t.RetainsGrad)
                    {
                        t.Grad = Own(g, createGraph);
                    }

                    var inputGrads = parents is null ? node.RunGraph(t, g, why) : RunChecked(node, t, g, why);
                    var inputs = node.Inputs;
                    for (var k = 0; k < inputs.Length; k++)
                    {
                        if (k < inputGrads.Length && inputGrads[k] is { } gk && inputs[k].RequiresGrad)
                        {
                            if (parents is not null)
                            {
                                AnomalyMode.CheckGradient(parents, t, node, k, gk);
                            }

                            Add(grads, inputs[k], gk, $"'{node.Op}'");
                        }
                    }
                }

                // The gradients' own graph goes through these nodes' outputs, so createGraph keeps them (as in PyTorch).
                if (!retainGraph && !createGraph)
                {
                    node.Free();
                }
            }

            if (accumulate)
            {
                foreach (var (t, g) in grads)
                {
                    if (t.GradFn is null && t.RequiresGrad)
                    {
                        var given = t.HasHooks ? t.ApplyHooks(g) : g;
                        t.Grad = t.Grad is { } held ? held + given : Own(given, createGraph);
                        if (t.HasPostAccumulateHooks)
                        {
                            t.RunPostAccumulateHooks();
                        }
                    }
                }
            }
        }

        return grads;
    }

    /// <summary>
    /// A node's backward under anomaly mode: the ops it runs are not checked as forwards of their own, so that a NaN
    /// or infinity is reported as this op's gradient (<see cref="AnomalyMode.CheckGradient"/>).
    /// </summary>
    private static Tensor?[] RunChecked(Node node, Tensor output, Tensor g, string why)
    {
        AnomalyMode.Exit();
        try
        {
            return node.RunGraph(output, g, why);
        }
        finally
        {
            AnomalyMode.Enter();
        }
    }

    /// <summary>
    /// A gradient a tensor can keep as its own <see cref="Tensor.Grad"/>: one op's gradient may reach several inputs
    /// (Add gives both the same), and a later backward adds into Grad in place. A copy, recorded under createGraph.
    /// </summary>
    private static Tensor Own(Tensor g, bool createGraph) => createGraph ? g * 1.0 : g.Clone();

    /// <summary>Adds <paramref name="g"/> to what <paramref name="t"/> has received so far.</summary>
    private static void Add(Dictionary<Tensor, Tensor> grads, Tensor t, Tensor g, string from)
    {
        if (!g.Dims.AsSpan().SequenceEqual(t.Dims) || g.DType != t.DType)
        {
            throw new InvalidOperationException($"Backward: {from} gave a {g.DType.Name()} {Shapes.Format(g.Dims)} gradient for a {t.DType.Name()} {Shapes.Format(t.Dims)} tensor.");
        }

        grads[t] = grads.TryGetValue(t, out var held) ? held + g : g;
    }
}
