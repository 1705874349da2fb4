import Foundation

// Wire transcripts written from the providers' documented formats (OpenAI Chat Completions and Responses
// streaming, Anthropic Messages streaming, Gemini GenerateContentResponse, Ollama API docs).

enum Transcripts {
    // MARK: - OpenAI Chat Completions

    static let openAIChatRequestStreamWithUsage = #"""
        {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Say hello"}]}
        """#

    static let openAIChatStreamWithUsage = #"""
        data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a1"}

        data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{"content":", wörld 👋\n\"quoted\""},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"b22"}

        data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-B1","object":"chat.completion.chunk","created":1727000000,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_1","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """#

    static let openAIChatStreamWithoutUsage = #"""
        data: {"id":"chatcmpl-B2","object":"chat.completion.chunk","created":1727000001,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

        data: {"id":"chatcmpl-B2","object":"chat.completion.chunk","created":1727000001,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}

        data: {"id":"chatcmpl-B2","object":"chat.completion.chunk","created":1727000001,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"length"}]}

        data: [DONE]


        """#

    /// Two parallel tool calls whose argument fragments interleave by `index`.
    static let openAIChatStreamToolCalls = #"""
        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{\"tz\":\"Europe/Paris\"}"}}]},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-T","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"tool_calls"}]}

        data: [DONE]


        """#

    /// `n: 2`: each chunk carries one choice, the two choices' deltas interleave, and a choice-1 delta has
    /// exactly the bytes of a choice-0 delta but for its `index` (an event template must not take it for choice 0).
    static let openAIChatStreamTwoChoices = #"""
        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":1,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":0,"delta":{"content":"Roses"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q1"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":1,"delta":{"content":"Violets"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q2"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":0,"delta":{"content":" are red"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q3"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":1,"delta":{"content":" are blue"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q4"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":1,"delta":{"content":", sugar is sweet"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q5"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":0,"delta":{"content":"."},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"q6"}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[{"index":1,"delta":{},"logprobs":null,"finish_reason":"length"}],"usage":null}

        data: {"id":"chatcmpl-N2","object":"chat.completion.chunk","created":1727000100,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_n","choices":[],"usage":{"prompt_tokens":14,"completion_tokens":16,"total_tokens":30,"prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """#

    /// `n: 3`, not streamed.
    static let openAIChatBodyThreeChoices = #"""
        {
          "id": "chatcmpl-N3",
          "object": "chat.completion",
          "created": 1727000200,
          "model": "gpt-4o-2024-08-06",
          "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "Heads.", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"},
            {"index": 1, "message": {"role": "assistant", "content": "Tails.", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"},
            {"index": 2, "message": {"role": "assistant", "content": null, "refusal": "I can't help with that.", "annotations": []}, "logprobs": null, "finish_reason": "stop"}
          ],
          "usage": {"prompt_tokens": 11, "completion_tokens": 9, "total_tokens": 20},
          "service_tier": "default",
          "system_fingerprint": "fp_3"
        }
        """#

    /// Legacy Completions with `n: 2`, streamed; a compatible server (vLLM-style) sends both choices in one chunk at the end.
    static let completionsStreamTwoChoices = #"""
        data: {"id":"cmpl-N","object":"text_completion","created":1727000300,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Once","index":0,"logprobs":null,"finish_reason":null}]}

        data: {"id":"cmpl-N","object":"text_completion","created":1727000300,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"There","index":1,"logprobs":null,"finish_reason":null}]}

        data: {"id":"cmpl-N","object":"text_completion","created":1727000300,"model":"gpt-3.5-turbo-instruct","choices":[{"text":" upon","index":0,"logprobs":null,"finish_reason":null},{"text":" was","index":1,"logprobs":null,"finish_reason":null}]}

        data: {"id":"cmpl-N","object":"text_completion","created":1727000300,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"length"},{"text":"","index":1,"logprobs":null,"finish_reason":"length"}]}

        data: [DONE]


        """#

    /// DeepSeek: `reasoning_content` deltas, usage with cache hit counts in the last chunk.
    static let deepSeekReasonerStream = #"""
        data: {"id":"d1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"Let me think"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"d1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":null,"reasoning_content":" about it."},"logprobs":null,"finish_reason":null}]}

        data: {"id":"d1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"2 + 2 = 4.","reasoning_content":null},"logprobs":null,"finish_reason":null}]}

        data: {"id":"d1","object":"chat.completion.chunk","created":1,"model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"","reasoning_content":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30,"prompt_tokens_details":{"cached_tokens":6},"completion_tokens_details":{"reasoning_tokens":12},"prompt_cache_hit_tokens":6,"prompt_cache_miss_tokens":4}}

        data: [DONE]


        """#

    static let openAIChatBody = #"""
        {
          "id": "chatcmpl-X",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "o4-mini-2025-04-16",
          "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi there! How can I help?", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
          "usage": {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
                    "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0},
                    "completion_tokens_details": {"reasoning_tokens": 256, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
          "service_tier": "default"
        }
        """#

    static let openAIChatBodyToolCalls = #"""
        {"id":"chatcmpl-Y","object":"chat.completion","created":1,"model":"gpt-4.1-2025-04-14","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"Boston, MA\"}"}},{"id":"call_2","type":"function","function":{"name":"get_time","arguments":"{}"}}],"refusal":null},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":82,"completion_tokens":17,"total_tokens":99}}
        """#

    static let openAIErrorBody = #"""
        {
            "error": {
                "message": "Incorrect API key provided: sk-abc***. You can find your API key at https://platform.openai.com/account/api-keys.",
                "type": "invalid_request_error",
                "param": null,
                "code": "invalid_api_key"
            }
        }
        """#

    /// A server error inside a 200 stream, after some text; the connection then closes without `[DONE]`.
    static let openAIStreamWithError = #"""
        data: {"id":"chatcmpl-E","object":"chat.completion.chunk","created":1,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Partial"},"finish_reason":null}]}

        data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}


        """#

    static let openAICompletionsBody = #"""
        {"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"\n\nThis is indeed a test","index":0,"logprobs":null,"finish_reason":"length"}],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}
        """#

    static let openAICompletionsStream = #"""
        data: {"id":"cmpl-2","object":"text_completion","created":1,"choices":[{"text":"Once","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}

        data: {"id":"cmpl-2","object":"text_completion","created":1,"choices":[{"text":" upon","index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}

        data: {"id":"cmpl-2","object":"text_completion","created":1,"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}],"model":"gpt-3.5-turbo-instruct"}

        data: [DONE]


        """#

    static let openAIEmbeddingsBody = #"""
        {"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023064255,-0.009327292,-0.0028842222]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":8,"total_tokens":8}}
        """#

    /// Azure streams start with a prompt-filter chunk that has no choices and an empty model.
    static let azureChatStream = #"""
        data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}]}

        data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_az"}

        data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"delta":{"content":"Bonjour"},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_az"}

        data: {"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0,"logprobs":null}],"created":1,"id":"chatcmpl-Az","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_az","usage":null}

        data: [DONE]


        """#

    static let azureErrorBody = #"""
        {"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}
        """#

    /// Azure's answer when a deployment's tokens-per-minute quota is spent (HTTP 429).
    static let azureRateLimitBody = #"""
        {"error":{"code":"429","message":"Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit."}}
        """#

    /// A whole answer with no `model` (as some Azure API versions and gateways in front of Azure send).
    static let azureBodyWithoutModel = #"""
        {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"logprobs":null,"message":{"content":"Hello!","refusal":null,"role":"assistant"}}],"created":1727000400,"id":"chatcmpl-AzNoModel","object":"chat.completion","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}}}],"usage":{"completion_tokens":3,"prompt_tokens":9,"total_tokens":12}}
        """#

    /// Ollama's OpenAI-compatible endpoint sends `reasoning` deltas.
    static let ollamaOpenAIStream = #"""
        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"Hmm."},"finish_reason":null}]}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":"Yes."},"finish_reason":null}]}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}

        data: {"id":"chatcmpl-9","object":"chat.completion.chunk","created":1,"model":"qwen3:8b","system_fingerprint":"fp_ollama","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":9,"total_tokens":21}}

        data: [DONE]


        """#

    /// Groq reports stream usage in `x_groq.usage`.
    static let groqStream = #"""
        data: {"id":"chatcmpl-g","object":"chat.completion.chunk","created":1,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_g","choices":[{"index":0,"delta":{"role":"assistant","content":"Fast"},"logprobs":null,"finish_reason":null}],"x_groq":{"id":"req_01"}}

        data: {"id":"chatcmpl-g","object":"chat.completion.chunk","created":1,"model":"llama-3.3-70b-versatile","system_fingerprint":"fp_g","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"x_groq":{"id":"req_01","usage":{"queue_time":0.01,"prompt_tokens":40,"prompt_time":0.002,"completion_tokens":1,"completion_time":0.001,"total_tokens":41,"total_time":0.003}}}

        data: [DONE]


        """#

    // MARK: - OpenAI Responses API

    static let responsesStream = #"""
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","model":"o4-mini-2025-04-16","output":[],"usage":null}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"in_progress","model":"o4-mini-2025-04-16","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"rs_1","type":"reasoning","summary":[]}}

        event: response.reasoning_summary_text.delta
        data: {"type":"response.reasoning_summary_text.delta","sequence_number":3,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Checking** the weather."}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":4,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":5,"item_id":"msg_1","output_index":1,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":6,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Let me","logprobs":[],"obfuscation":"x"}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":1,"content_index":0,"delta":" check.","logprobs":[],"obfuscation":"yz"}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":8,"item_id":"msg_1","output_index":1,"content_index":0,"text":"Let me check.","logprobs":[]}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":9,"output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"","status":"in_progress"}}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":10,"item_id":"fc_1","output_index":2,"delta":"{\"city\":"}

        event: response.function_call_arguments.delta
        data: {"type":"response.function_call_arguments.delta","sequence_number":11,"item_id":"fc_1","output_index":2,"delta":"\"Oslo\"}"}

        event: response.function_call_arguments.done
        data: {"type":"response.function_call_arguments.done","sequence_number":12,"item_id":"fc_1","output_index":2,"arguments":"{\"city\":\"Oslo\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":13,"output_index":2,"item":{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Oslo\"}","status":"completed"}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":14,"response":{"id":"resp_1","object":"response","created_at":1741290958,"status":"completed","model":"o4-mini-2025-04-16","output":[{"id":"rs_1","type":"reasoning","summary":[{"type":"summary_text","text":"**Checking** the weather."}]},{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Let me check.","annotations":[]}]},{"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Oslo\"}","status":"completed"}],"usage":{"input_tokens":37,"input_tokens_details":{"cached_tokens":5},"output_tokens":11,"output_tokens_details":{"reasoning_tokens":4},"total_tokens":48}}}


        """#

    /// Built-in tools in a Responses stream: a web search (its item only), then text, then an MCP call whose
    /// arguments stream as `response.mcp_call_arguments.delta` and whose `output` comes with its item.
    static let responsesStreamBuiltInTools = #"""
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_ws","object":"response","created_at":1741290958,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"tools":[{"type":"web_search_preview"}],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"ws_67c9fa0502748190b7dd390736892e10","type":"web_search_call","status":"in_progress"}}

        event: response.web_search_call.in_progress
        data: {"type":"response.web_search_call.in_progress","sequence_number":2,"output_index":0,"item_id":"ws_67c9fa0502748190b7dd390736892e10"}

        event: response.web_search_call.searching
        data: {"type":"response.web_search_call.searching","sequence_number":3,"output_index":0,"item_id":"ws_67c9fa0502748190b7dd390736892e10"}

        event: response.web_search_call.completed
        data: {"type":"response.web_search_call.completed","sequence_number":4,"output_index":0,"item_id":"ws_67c9fa0502748190b7dd390736892e10"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"ws_67c9fa0502748190b7dd390736892e10","type":"web_search_call","status":"completed","action":{"type":"search","query":"positive news today"}}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":6,"output_index":1,"item":{"id":"msg_1","type":"message","status":"in_progress","content":[],"role":"assistant"}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":7,"item_id":"msg_1","output_index":1,"content_index":0,"delta":"Good news:"}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":8,"item_id":"msg_1","output_index":1,"content_index":0,"delta":" otters."}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":9,"output_index":1,"item":{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","text":"Good news: otters.","annotations":[]}],"role":"assistant"}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":10,"output_index":2,"item":{"id":"mcp_1","type":"mcp_call","server_label":"deepwiki","name":"ask_question","arguments":"","status":"in_progress"}}

        event: response.mcp_call_arguments.delta
        data: {"type":"response.mcp_call_arguments.delta","sequence_number":11,"output_index":2,"item_id":"mcp_1","delta":"{\"repoName\":"}

        event: response.mcp_call_arguments.delta
        data: {"type":"response.mcp_call_arguments.delta","sequence_number":12,"output_index":2,"item_id":"mcp_1","delta":"\"a/b\"}"}

        event: response.mcp_call_arguments.done
        data: {"type":"response.mcp_call_arguments.done","sequence_number":13,"output_index":2,"item_id":"mcp_1","arguments":"{\"repoName\":\"a/b\"}"}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":14,"output_index":2,"item":{"id":"mcp_1","type":"mcp_call","server_label":"deepwiki","name":"ask_question","arguments":"{\"repoName\":\"a/b\"}","status":"completed","output":"It is a tracing proxy.","error":null}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":15,"response":{"id":"resp_ws","object":"response","created_at":1741290958,"status":"completed","model":"gpt-4.1-2025-04-14","output":[{"id":"ws_67c9fa0502748190b7dd390736892e10","type":"web_search_call","status":"completed","action":{"type":"search","query":"positive news today"}},{"id":"msg_1","type":"message","status":"completed","content":[{"type":"output_text","text":"Good news: otters.","annotations":[]}],"role":"assistant"},{"id":"mcp_1","type":"mcp_call","server_label":"deepwiki","name":"ask_question","arguments":"{\"repoName\":\"a/b\"}","status":"completed","output":"It is a tracing proxy.","error":null}],"usage":{"input_tokens":328,"input_tokens_details":{"cached_tokens":0},"output_tokens":356,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":684}}}


        """#

    /// A whole Responses answer with file search results, a code interpreter run, a generated image and a custom tool call.
    static let responsesBodyBuiltInTools = #"""
        {
          "id": "resp_bt",
          "object": "response",
          "created_at": 1741294021,
          "status": "completed",
          "model": "gpt-5-2025-08-07",
          "output": [
            {"type": "file_search_call", "id": "fs_1", "status": "completed", "queries": ["deep research"], "results": [{"file_id": "file-2dtbBZdjtDKS8eqWxqbgDi", "filename": "deep_research_blog.pdf", "score": 0.9, "text": "Deep research is…"}]},
            {"type": "code_interpreter_call", "id": "ci_1", "status": "completed", "code": "print(6*7)", "container_id": "cntr_1", "outputs": [{"type": "logs", "logs": "42\n"}]},
            {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "iVBORw0KGgoAAAANSUhEUgAA", "revised_prompt": "An otter"},
            {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_custom", "name": "code_exec", "input": "print('hi')", "status": "completed"},
            {"type": "message", "id": "msg_2", "status": "completed", "role": "assistant", "content": [{"type": "output_text", "text": "Done.", "annotations": []}]}
          ],
          "usage": {"input_tokens": 1000, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 50, "output_tokens_details": {"reasoning_tokens": 10}, "total_tokens": 1050}
        }
        """#

    static let responsesStreamFailed = #"""
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_2","object":"response","status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":1,"item_id":"msg_2","output_index":0,"content_index":0,"delta":"Half"}

        event: response.failed
        data: {"type":"response.failed","sequence_number":2,"response":{"id":"resp_2","object":"response","status":"failed","model":"gpt-4.1-2025-04-14","error":{"code":"server_error","message":"The model failed to generate a response."},"output":[],"usage":null}}


        """#

    static let responsesStreamErrorEvent = #"""
        event: error
        data: {"type":"error","code":"ERR_SOMETHING","message":"Something went wrong","param":null,"sequence_number":1}


        """#

    static let responsesBody = #"""
        {
          "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
          "object": "response",
          "created_at": 1741476777,
          "status": "completed",
          "error": null,
          "incomplete_details": null,
          "model": "o3-2025-04-16",
          "output": [
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Short think."}]},
            {"type": "message", "id": "msg_1", "status": "completed", "role": "assistant",
             "content": [{"type": "output_text", "text": "The image depicts a scenic landscape.", "annotations": []}]},
            {"type": "function_call", "id": "fc_9", "call_id": "call_9", "name": "save_note", "arguments": "{\"text\":\"landscape\"}", "status": "completed"}
          ],
          "usage": {"input_tokens": 328, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 52,
                    "output_tokens_details": {"reasoning_tokens": 20}, "total_tokens": 380}
        }
        """#

    // MARK: - Anthropic Messages

    static let anthropicStream = #"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-20250514","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"cache_creation_input_tokens":100,"cache_read_input_tokens":2000,"output_tokens":2}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"The user wants weather."}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Okay, let me check"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" the weather in San Francisco."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"San Fra"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"ncisco, CA\", \"unit\": \"fahrenheit\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"tool_use","id":"toolu_02","name":"get_time","input":{}}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":3}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """#

    static let anthropicStreamOverloaded = #"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","content":[],"model":"claude-3-5-haiku-20241022","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

        event: error
        data: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}


        """#

    static let anthropicBody = #"""
        {
          "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
          "type": "message",
          "role": "assistant",
          "model": "claude-opus-4-1-20250805",
          "content": [
            {"type": "thinking", "thinking": "Need the tool.", "signature": "sig"},
            {"type": "text", "text": "I'll look that up."},
            {"type": "tool_use", "id": "toolu_9", "name": "search", "input": {"query": "swift 6", "limit": 3, "exact": true}}
          ],
          "stop_reason": "tool_use",
          "stop_sequence": null,
          "usage": {"input_tokens": 12, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 4096, "output_tokens": 60, "service_tier": "standard"}
        }
        """#

    /// Web search, Anthropic's server tool: a `server_tool_use` block whose input streams as `input_json_delta`,
    /// its `web_search_tool_result`, then cited text (`citations_delta` is not text).
    static let anthropicWebSearchStream = #"""
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01G2d7fSWFyxgt2GLWjLDBdN","type":"message","role":"assistant","model":"claude-opus-4-1-20250805","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2679,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":3,"service_tier":"standard"}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"I'll check the weather."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: content_block_start
        data: {"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_014hJH82Qum7Td6UV8gDXThB","name":"web_search","input":{}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query"}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\":\"weather NYC today\"}"}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":1}

        event: content_block_start
        data: {"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_014hJH82Qum7Td6UV8gDXThB","content":[{"type":"web_search_result","title":"Weather in New York City in May 2025","url":"https://world-weather.info/forecast/usa/new_york/may-2025/","encrypted_content":"Ev0DCioIAxgCIiQ3NmU4ZmI4OC1k","page_age":null}]}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":2}

        event: content_block_start
        data: {"type":"content_block_start","index":3,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","cited_text":"Sunny, 22 °C","url":"https://world-weather.info/forecast/usa/new_york/may-2025/","title":"Weather in New York City in May 2025","encrypted_index":"EpMBCioIAhgB"}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":" It is sunny, 22 °C."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":3}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":10682,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":510,"server_tool_use":{"web_search_requests":1}}}

        event: message_stop
        data: {"type":"message_stop"}


        """#

    /// A whole message: a web search that failed (`web_search_tool_result_error`), a web fetch, then a client tool call.
    static let anthropicServerToolsBody = #"""
        {
          "id": "msg_srv",
          "type": "message",
          "role": "assistant",
          "model": "claude-sonnet-4-5-20250929",
          "content": [
            {"type": "server_tool_use", "id": "srvtoolu_a", "name": "web_search", "input": {"query": "llmtrace"}},
            {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_a", "content": {"type": "web_search_tool_result_error", "error_code": "max_uses_exceeded"}},
            {"type": "server_tool_use", "id": "srvtoolu_b", "name": "web_fetch", "input": {"url": "https://example.com/a"}},
            {"type": "web_fetch_tool_result", "tool_use_id": "srvtoolu_b", "content": {"type": "web_fetch_result", "url": "https://example.com/a", "content": {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Hello"}}}},
            {"type": "text", "text": "Let me save that."},
            {"type": "tool_use", "id": "toolu_c", "name": "save", "input": {"text": "Hello"}}
          ],
          "stop_reason": "tool_use",
          "stop_sequence": null,
          "usage": {"input_tokens": 900, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 80, "server_tool_use": {"web_search_requests": 1, "web_fetch_requests": 1}}
        }
        """#

    static let anthropicErrorBody = #"""
        {"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}
        """#

    // MARK: - Gemini

    /// `alt=sse` stream (Gemini ends lines with CRLF; see `crlf`).
    static let geminiSSE = #"""
        data: {"candidates": [{"content": {"parts": [{"text": "**Thinking** it over","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 10,"totalTokenCount": 10,"promptTokensDetails": [{"modality": "TEXT","tokenCount": 10}]},"modelVersion": "gemini-2.5-flash","responseId": "abc"}

        data: {"candidates": [{"content": {"parts": [{"text": "Hello"}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 1,"totalTokenCount": 25,"thoughtsTokenCount": 14},"modelVersion": "gemini-2.5-flash","responseId": "abc"}

        data: {"candidates": [{"content": {"parts": [{"text": " world"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 10,"candidatesTokenCount": 3,"totalTokenCount": 27,"cachedContentTokenCount": 4,"thoughtsTokenCount": 14},"modelVersion": "gemini-2.5-flash","responseId": "abc"}


        """#

    /// `streamGenerateContent` without `alt`: a JSON array written element by element.
    static let geminiArrayStream = #"""
        [{
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "text": "Checking [the] {weather} \"now\""
                  }
                ],
                "role": "model"
              },
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 30,
            "totalTokenCount": 30
          }
        }
        ,
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  {
                    "functionCall": {
                      "name": "get_weather",
                      "args": {
                        "unit": "celsius",
                        "city": "Zürich"
                      }
                    }
                  }
                ],
                "role": "model"
              },
              "finishReason": "STOP",
              "index": 0
            }
          ],
          "usageMetadata": {
            "promptTokenCount": 30,
            "candidatesTokenCount": 8,
            "totalTokenCount": 38,
            "toolUsePromptTokenCount": 0
          }
        }
        ]
        """#

    static let geminiBody = #"""
        {
          "candidates": [
            {
              "content": {
                "parts": [
                  {"text": "Let me reason.", "thought": true},
                  {"text": "The answer is 42."},
                  {"functionCall": {"id": "fc-1", "name": "record", "args": {"value": 42}}}
                ],
                "role": "model"
              },
              "finishReason": "MAX_TOKENS",
              "index": 0,
              "safetyRatings": [{"category": "HARM_CATEGORY_HARASSMENT", "probability": "NEGLIGIBLE"}]
            }
          ],
          "usageMetadata": {"promptTokenCount": 1200, "candidatesTokenCount": 7, "totalTokenCount": 1257, "cachedContentTokenCount": 1024, "thoughtsTokenCount": 50},
          "modelVersion": "gemini-2.5-pro",
          "responseId": "r1"
        }
        """#

    static let geminiBlockedBody = #"""
        {"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []}, "usageMetadata": {"promptTokenCount": 8, "totalTokenCount": 8}, "modelVersion": "gemini-2.0-flash"}
        """#

    static let geminiErrorBody = #"""
        {
          "error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]
          }
        }
        """#

    static let geminiArrayErrorBody = #"""
        [{
          "error": {
            "code": 429,
            "message": "Resource has been exhausted (e.g. check quota).",
            "status": "RESOURCE_EXHAUSTED"
          }
        }
        ]
        """#

    // MARK: - Ollama native

    static let ollamaChatStream = #"""
        {"model":"qwen3","created_at":"2025-05-29T09:35:56.836222Z","message":{"role":"assistant","content":"","thinking":"Let me"},"done":false}
        {"model":"qwen3","created_at":"2025-05-29T09:35:56.856222Z","message":{"role":"assistant","content":"","thinking":" think."},"done":false}
        {"model":"qwen3","created_at":"2025-05-29T09:35:56.876222Z","message":{"role":"assistant","content":"The sky"},"done":false}
        {"model":"qwen3","created_at":"2025-05-29T09:35:56.896222Z","message":{"role":"assistant","content":" is blue."},"done":false}
        {"model":"qwen3","created_at":"2025-05-29T09:35:56.916222Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Toronto","unit":"celsius"}}}]},"done":false}
        {"model":"qwen3","created_at":"2025-05-29T09:35:57.036222Z","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"prompt_eval_duration":342546000,"eval_count":282,"eval_duration":4535599000}

        """#

    static let ollamaGenerateStream = #"""
        {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":"The","done":false}
        {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":" sky","done":false}
        {"model":"llama3.2","created_at":"2023-08-04T19:22:45.499127Z","response":"","done":true,"done_reason":"stop","context":[1,2,3],"total_duration":10706818083,"load_duration":6338219291,"eval_count":290,"eval_duration":4196918000}

        """#

    /// `"stream": false`: one object, no trailing newline.
    static let ollamaChatBody = #"""
        {"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z","message":{"role":"assistant","content":"Hello! How are you today?"},"done_reason":"stop","done":true,"total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,"eval_duration":4799921000}
        """#

    static let ollamaEmbedBody = #"""
        {"model":"all-minilm","embeddings":[[0.010071029,-0.0017594862,0.05007221]],"total_duration":14143917,"load_duration":1019500,"prompt_eval_count":8}
        """#

    static let ollamaErrorBody = #"""
        {"error":"model \"llama9\" not found, try pulling it first"}
        """#

    static let ollamaStreamWithError = #"""
        {"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":"Partial","done":false}
        {"error":"an error was encountered while running the model: unexpected EOF"}

        """#

    /// Lines of `text` ending with CRLF instead of LF.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// `text` cut just before `marker` (the way a size limit or a disconnect cuts a body).
    static func cut(_ text: String, before marker: String) -> String {
        guard let range = text.range(of: marker) else { return text }
        return String(text[..<range.lowerBound])
    }
}
