namespace Backprop.Autograd;

/// <summary>Walks a recorded graph in reverse topological order, applying the chain rule at each node.</summary>
internal static class BackwardEngine
{
    /// <summary>The working sets of the graph walk, reused by the next backward pass on this thread (null while one runs).</summary>
    [ThreadStatic]
    private static Walk? t_walk;

    /// <summary>Backpropagates <paramref name="gradient"/> (dLoss/dRoot, shaped like the root) through the graph.</summary>
    public static void Run(Tensor root, float[] gradient, bool retainGraph)
    {
        var walk = t_walk ?? new Walk();
        t_walk = null;
        try
        {
            Run(root, gradient, retainGraph, walk);
        }
        finally
        {
            walk.Order.Clear();
            walk.Visited.Clear();
            walk.Stack.Clear();
            t_walk = walk;
        }
    }

    private static void Run(Tensor root, float[] gradient, bool retainGraph, Walk walk)
    {
        // A freed node has no inputs left, so the walk stops there; refuse (as for storage a scope released) before changing anything.
        var order = walk.Order;
        GraphOrder.Topological(root, includeLeaves: false, order, walk.Visited, walk.Stack);
        var onStorage = true;
        foreach (var t in order)
        {
            t.GradFn!.ThrowIfFreed(t);
            t.GradFn.ThrowIfReleased(t);
            onStorage &= t.GradFn.HasStorageBackward;
        }

        // A float64 part of the graph (behind a dtype conversion) goes backward through tensor ops.
        if (!onStorage)
        {
            GraphEngine.Run([root], [Tensor.Wrap((float[])gradient.Clone(), root.Shape)], retainGraph, createGraph: false, accumulate: true);
            return;
        }

        var hookedLeaves = Tensor.AnyHooks ? HookedLeaves(root) : null;
        var ready = Tensor.AnyPostAccumulateHooks ? LastConsumers(order) : null;
        var parents = AnomalyMode.IsEnabled ? AnomalyMode.Parents(root) : null;
        var stashes = hookedLeaves?.Select(leaf => leaf.StashGrad()).ToArray();
        root.DepositGrad(gradient, root.Dims, owned: false);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.GradFn!;
            if (t.GradData is { } grad)
            {
                if (t.HasHooks)
                {
                    t.RunHooks(grad);
                }

                node.Run(t, grad);
                if (parents is not null)
                {
                    AnomalyMode.CheckBackward(parents, t, node);
                }

                t.ReleaseIntermediateGrad();
            }

            if (ready is not null && ready.Remove(i, out var finished))
            {
                foreach (var leaf in finished)
                {
                    leaf.RunPostAccumulateHooks();
                }
            }

            if (!retainGraph)
            {
                node.Free();
            }
        }

        // A leaf's hooks see this pass's gradient alone, before it is added to what the leaf already held.
        for (var i = 0; hookedLeaves is not null && i < hookedLeaves.Count; i++)
        {
            if (hookedLeaves[i].GradData is { } grad)
            {
                hookedLeaves[i].RunHooks(grad);
            }

            hookedLeaves[i].MergeStashedGrad(stashes![i]);
            if (hookedLeaves[i].HasPostAccumulateHooks)
            {
                hookedLeaves[i].RunPostAccumulateHooks();
            }
        }
    }

    /// <summary>
    /// For each leaf with post-accumulate hooks (and no gradient hooks, whose leaves finish after the walk), the
    /// position in <paramref name="order"/> of the last node the reverse walk runs that adds to its gradient:
    /// the leaf's gradient is complete once that node has run.
    /// </summary>
    private static Dictionary<int, List<Tensor>> LastConsumers(List<Tensor> order)
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var ready = new Dictionary<int, List<Tensor>>();
        for (var i = 0; i < order.Count; i++)
        {
            foreach (var input in order[i].GradFn!.Inputs)
            {
                if (input.GradFn is null && input.HasPostAccumulateHooks && !input.HasHooks && seen.Add(input))
                {
                    (ready.TryGetValue(i, out var list) ? list : ready[i] = []).Add(input);
                }
            }
        }

        return ready;
    }

    /// <summary>The leaves of the graph under <paramref name="root"/> that hold gradient hooks.</summary>
    private static List<Tensor> HookedLeaves(Tensor root) =>
        [.. GraphOrder.Topological(root, includeLeaves: true).Where(t => t.GradFn is null && t.HasHooks)];

    /// <summary>The lists a graph walk fills.</summary>
    private sealed class Walk
    {
        public List<Tensor> Order { get; } = [];

        public HashSet<Tensor> Visited { get; } = new(ReferenceEqualityComparer.Instance);

        public Stack<(Tensor Tensor, int Next)> Stack { get; } = new();
    }
}
