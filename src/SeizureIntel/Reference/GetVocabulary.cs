using Microsoft.AspNetCore.Http.HttpResults;
using Wolverine.Http;

namespace SeizureIntel.Reference;

public static class GetVocabularyEndpoint
{
    /// <summary>Names of the vocabularies served.</summary>
    [WolverineGet("/api/reference", OperationId = "listVocabularies")]
    public static IReadOnlyList<string> List(ReferenceData reference) => reference.Vocabularies.Keys.Order().ToList();

    /// <summary>A vocabulary's terms: code, English and Russian names (and a substance's group, a unit's kind).</summary>
    [WolverineGet("/api/reference/{vocabulary}", OperationId = "getVocabulary")]
    public static Results<Ok<IReadOnlyList<Term>>, ProblemHttpResult> Get(string vocabulary, ReferenceData reference) =>
        reference.Vocabulary(vocabulary) is { } terms
            ? TypedResults.Ok(terms)
            : TypedResults.Problem(statusCode: 404, title: "Unknown vocabulary",
                detail: $"No vocabulary '{vocabulary}'; known: {string.Join(", ", reference.Vocabularies.Keys.Order())}.");
}
