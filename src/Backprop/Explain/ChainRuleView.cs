using System.Globalization;
using Backprop.Autograd;

namespace Backprop.Explain;

/// <summary>
/// The chain rule at every node of a graph, from the loss back to the leaves: the gradient arriving at
/// each node, each local derivative, and the gradient each input receives through that node.
/// </summary>
public static class ChainRuleView
{
    /// <summary>
    /// Backpropagates from a one-element <paramref name="loss"/> (keeping the graph) and explains every op
    /// node, loss first. Leaves' <see cref="Tensor.Grad"/> are filled as by <see cref="Tensor.Backward()"/>.
    /// </summary>
    /// <param name="loss">The loss; its graph must not have been freed.</param>
    /// <param name="names">Names to show for tensors (inputs, parameters, intermediates); others get t1, t2, ….</param>
    /// <returns>One step per op node, from the loss back towards the inputs.</returns>
    public static IReadOnlyList<ChainStep> Explain(Tensor loss, IEnumerable<KeyValuePair<string, Tensor>>? names = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var order = GraphOrder.Topological(loss, includeLeaves: true);
        var nameOf = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, tensor) in names ?? [])
        {
            nameOf.TryAdd(tensor, name);
        }

        nameOf.TryAdd(loss, "L");
        var counter = 0;
        foreach (var t in order)
        {
            if (!nameOf.ContainsKey(t))
            {
                nameOf[t] = "t" + (++counter).ToString(CultureInfo.InvariantCulture);
            }

            if (t.GradFnName is not null)
            {
                t.RetainGrad();
            }
        }

        loss.Backward(null, retainGraph: true);
        var steps = new List<ChainStep>();
        for (var i = order.Count - 1; i >= 0; i--)
        {
            var z = order[i];
            if (z.GradFnName is null || z.Grad is null)
            {
                continue;
            }

            var local = LocalGradients.Through(z);
            var received = LocalGradients.Through(z, z.Grad);
            var inputs = z.GradFnInputs;
            var described = new List<ChainInput>();
            for (var k = 0; k < inputs.Count; k++)
            {
                described.Add(new ChainInput(nameOf[inputs[k]], inputs[k].Detach(), local[k], received[k]));
            }

            steps.Add(new ChainStep(nameOf[z], z.GradFnName, z.Detach(), z.Grad.Clone(), described));
        }

        return steps;
    }
}
