namespace Backprop.Autograd;

/// <summary>Walks a recorded graph in reverse topological order, applying the chain rule at each node.</summary>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor gradient, bool retainGraph)
    {
        // A freed node has no inputs left, so the walk stops there; refuse before changing anything.
        var order = GraphOrder.Topological(root, includeLeaves: false);
        foreach (var t in order)
        {
            t.GradFn!.ThrowIfFreed(t);
        }

        root.DepositGrad(gradient.Data, root.Dims, owned: false);
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var t = order[i];
            var node = t.GradFn!;
            if (t.Grad is not null)
            {
                node.Run(t, t.Grad);
                t.ReleaseIntermediateGrad();
            }

            if (!retainGraph)
            {
                node.Free();
            }
        }
    }
}
