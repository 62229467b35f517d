namespace Backprop.Autograd;

/// <summary>Walks a recorded graph in reverse topological order, applying the chain rule at each node.</summary>
internal static class BackwardEngine
{
    public static void Run(Tensor root, Tensor gradient, bool retainGraph)
    {
        var order = TopologicalOrder(root);
        root.AccumulateGrad(gradient.Data);
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

    /// <summary>
    /// The non-leaf tensors reachable from <paramref name="root"/>, each after all of its inputs
    /// (an iterative depth-first search, so deep graphs cannot overflow the stack).
    /// </summary>
    private static List<Tensor> TopologicalOrder(Tensor root)
    {
        var order = new List<Tensor>();
        if (root.GradFn is null)
        {
            return order;
        }

        root.GradFn.ThrowIfFreed(root);
        var visited = new HashSet<Node>(ReferenceEqualityComparer.Instance) { root.GradFn };
        var stack = new Stack<(Tensor Tensor, int Next)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn!.Inputs;
            var pushed = false;
            for (var k = next; k < inputs.Length; k++)
            {
                var child = inputs[k];
                if (child.GradFn is not null && visited.Add(child.GradFn))
                {
                    child.GradFn.ThrowIfFreed(child);
                    stack.Push((t, k + 1));
                    stack.Push((child, 0));
                    pushed = true;
                    break;
                }
            }

            if (!pushed)
            {
                order.Add(t);
            }
        }

        return order;
    }
}
