namespace Backprop.Autograd;

/// <summary>Orders the tensors of a recorded graph so that each comes after all of its inputs.</summary>
internal static class GraphOrder
{
    /// <summary>
    /// The tensors reachable from <paramref name="root"/> through recorded ops, inputs first (an iterative
    /// depth-first search, so deep graphs cannot overflow the stack); leaves only when asked for.
    /// </summary>
    public static List<Tensor> Topological(Tensor root, bool includeLeaves)
    {
        var order = new List<Tensor>();
        Topological(root, includeLeaves, order, new HashSet<Tensor>(ReferenceEqualityComparer.Instance), new Stack<(Tensor, int)>());
        return order;
    }

    /// <summary>
    /// <see cref="Topological(Tensor, bool)"/> into <paramref name="order"/>, with the caller's (empty) working
    /// sets, so that a caller that orders a graph every step can reuse them.
    /// </summary>
    public static void Topological(Tensor root, bool includeLeaves, List<Tensor> order, HashSet<Tensor> visited, Stack<(Tensor Tensor, int Next)> stack)
    {
        visited.Add(root);
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (t, next) = stack.Pop();
            var inputs = t.GradFn is null ? default : t.GradFn.Inputs;
            var pushed = false;
            for (var k = next; k < inputs.Length; k++)
            {
                var child = inputs[k];
                if ((includeLeaves || child.GradFn is not null) && visited.Add(child))
                {
                    stack.Push((t, k + 1));
                    stack.Push((child, 0));
                    pushed = true;
                    break;
                }
            }

            if (!pushed && (includeLeaves || t.GradFn is not null))
            {
                order.Add(t);
            }
        }
    }
}
