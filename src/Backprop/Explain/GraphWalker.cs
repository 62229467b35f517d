namespace Backprop.Explain;

/// <summary>Lists the tensors of a recorded graph, each after all of its inputs (iteratively, so deep graphs are fine).</summary>
internal static class GraphWalker
{
    /// <summary>Every tensor reachable from <paramref name="root"/> through recorded ops, leaves included, inputs first.</summary>
    public static List<Tensor> Topological(Tensor root)
    {
        var order = new List<Tensor>();
        var visited = new HashSet<Tensor>(ReferenceEqualityComparer.Instance) { root };
        var stack = new Stack<(Tensor Tensor, int Next)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFnInputs;
            var pushed = false;
            for (var k = next; k < inputs.Count; k++)
            {
                if (visited.Add(inputs[k]))
                {
                    stack.Push((t, k + 1));
                    stack.Push((inputs[k], 0));
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
